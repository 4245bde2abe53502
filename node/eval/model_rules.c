/* The HTTP adapter's rules, apart from its plumbing: which URL an endpoint
 * stands for, which headers go with a request, and what a status means.
 * Shared with `evalmesh model check`, so both speak to a server alike. */
#include "model_impl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "utf8.h"

#define ELLIPSIS	"\xE2\x80\xA6"

static int
ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n >= t && memcmp(s + n - t, tail, t) == 0;
}

em_err
model_url(const char *endpoint, const char *path, char *out, size_t cap, char *why,
    size_t wcap)
{
	size_t scheme = strncmp(endpoint, "https://", 8) == 0 ? 8 :
	    strncmp(endpoint, "http://", 7) == 0 ? 7 : 0;
	size_t n = strcspn(endpoint, "?#"), keep = n, qlen = 0;
	const char *query = endpoint + n, *mid = "";
	char fit[208];
	int w;

	if (scheme == 0) {
		snprintf(why, wcap, "--endpoint '%s': expected an http:// or https:// URL",
		    utf8_fit(endpoint, 200, fit, sizeof fit));
		return EM_EINVAL;
	}
	if (n <= scheme || endpoint[scheme] == '/') {
		snprintf(why, wcap, "--endpoint '%s': no host", utf8_fit(endpoint, 200, fit, sizeof fit));
		return EM_EINVAL;
	}
	if (*query == '?')
		qlen = strcspn(query, "#");	/* the fragment is never sent */
	while (n > scheme + 1 && endpoint[n - 1] == '/')
		n--;
	if (ends_with(endpoint, n, path)) {
		keep = n;
		path = "";
	} else if (strcmp(path, "/models") == 0 &&
	    (ends_with(endpoint, n, "/chat/completions") || ends_with(endpoint, n, "/completions"))) {
		/* the list sits beside the API's own path */
		keep = n - (ends_with(endpoint, n, "/chat/completions") ? 17 : 12);
	} else {
		keep = n;
		if (!ends_with(endpoint, n, "/v1"))
			mid = "/v1";
	}
	w = snprintf(out, cap, "%.*s%s%s%.*s", (int)keep, endpoint, mid, path, (int)qlen, query);
	if (w < 0 || (size_t)w >= cap) {
		snprintf(why, wcap, "--endpoint: a URL longer than %zu bytes", cap - 1);
		return EM_EINVAL;
	}
	return EM_OK;
}

void
model_url_show(const char *url, char *out, size_t cap)
{
	const char *host = strstr(url, "://"), *at, *end;
	size_t pre, n, room;
	int query;

	if (cap < 16) {
		if (cap > 0)
			out[0] = '\0';
		return;
	}
	host = host ? host + 3 : url;
	pre = (size_t)(host - url);
	at = host + strcspn(host, "@/?#");
	if (*at == '@')		/* user:password@ stays out of messages */
		host = at + 1;
	end = host + strcspn(host, "?#");
	query = *end == '?';
	n = pre + (size_t)(end - host);
	room = cap - 1 - (query ? 4 : 0);	/* "?…" */
	if (n > room) {
		/* cut on a character boundary and say so */
		size_t k = room - 3 > pre ? room - 3 - pre : 0;

		while (k > 0 && ((unsigned char)host[k] & 0xc0) == 0x80)
			k--;
		snprintf(out, cap, "%.*s%.*s" ELLIPSIS, (int)pre, url, (int)k, host);
		return;
	}
	snprintf(out, cap, "%.*s%.*s%s", (int)pre, url, (int)(end - host), host,
	    query ? "?" ELLIPSIS : "");
}

/* One URL part through curl's own parser, lower-cased; 0 if absent. */
static int
url_part(CURLU *u, CURLUPart what, char *out, size_t cap)
{
	char *v = NULL;
	int ok;

	if (curl_url_get(u, what, &v, what == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0) != CURLUE_OK)
		return 0;
	ok = strlen(v) < cap;
	if (ok)
		for (size_t i = 0; (out[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i])); i++)
			;
	curl_free(v);
	return ok;
}

int
model_key_may_follow(const char *a, const char *b)
{
	char sa[8], sb[8], ha[256], hb[256], pa[8], pb[8];
	CURLU *ua = curl_url(), *ub = curl_url();
	int ok = 0;

	if (ua && ub && curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
	    curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK &&
	    url_part(ua, CURLUPART_SCHEME, sa, sizeof sa) && url_part(ub, CURLUPART_SCHEME, sb, sizeof sb) &&
	    url_part(ua, CURLUPART_HOST, ha, sizeof ha) && url_part(ub, CURLUPART_HOST, hb, sizeof hb) &&
	    url_part(ua, CURLUPART_PORT, pa, sizeof pa) && url_part(ub, CURLUPART_PORT, pb, sizeof pb))
		ok = strcmp(ha, hb) == 0 && !(strcmp(sa, "https") == 0 && strcmp(sb, "http") == 0) &&
		    (strcmp(pa, pb) == 0 || (strcmp(sa, "http") == 0 && strcmp(sb, "https") == 0 &&
		    strcmp(pa, "80") == 0 && strcmp(pb, "443") == 0));
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return ok;
}

/* RFC 9110 token characters: what a header name is made of. */
static int
header_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789!#$%&'*+-.^_`|~") == n;
}

em_err
model_key_header_check(const char *name, char *why, size_t cap)
{
	static const char *const ours[] = { "content-type", "content-length", "accept", "host",
	    "expect", "connection", "transfer-encoding" };

	if (!header_name_ok(name)) {
		char q[80];

		model_quote(name, strlen(name), q, sizeof q);
		snprintf(why, cap, "--api-key-header %s: not an HTTP header name", q);
		return EM_EINVAL;
	}
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
		if (strcasecmp(name, ours[i]) == 0) {
			snprintf(why, cap, "--api-key-header %s: evalmesh sets that header itself",
			    name);
			return EM_EINVAL;
		}
	return EM_OK;
}

static em_err
check_key(const model_opts *o, char *why, size_t cap)
{
	for (const unsigned char *p = (const unsigned char *)o->api_key; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			/* it would end the header line and start another */
			snprintf(why, cap, "the API key holds a control character (a newline?)");
			return EM_EINVAL;
		}
	if (o->api_key_header == NULL)
		return EM_OK;
	return model_key_header_check(o->api_key_header, why, cap);
}

em_err
model_headers(const model_opts *o, struct curl_slist **out, char *why, size_t cap)
{
	/* "Expect:" stops curl waiting for 100-continue before larger bodies */
	static const char *const fixed[] = { "Content-Type: application/json",
	    "Accept: application/json", "Expect:" };
	struct curl_slist *l = NULL, *t;
	em_err err = EM_OK;
	char *hdr = NULL;
	size_t n = 0;

	*out = NULL;
	if (o->api_key != NULL && (err = check_key(o, why, cap)) != EM_OK)
		return err;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if ((t = curl_slist_append(l, fixed[i])) == NULL)
			goto nomem;
		l = t;
	}
	if (o->api_key != NULL) {
		n = strlen(o->api_key) + (o->api_key_header ? strlen(o->api_key_header) : 0) + 32;
		if ((hdr = malloc(n)) == NULL)
			goto nomem;
		if (o->api_key_header != NULL)
			snprintf(hdr, n, "%s: %s", o->api_key_header, o->api_key);
		else
			snprintf(hdr, n, "Authorization: Bearer %s", o->api_key);
		t = curl_slist_append(l, hdr);
		hash_wipe(hdr, n);
		free(hdr);
		if (t == NULL)
			goto nomem;
		l = t;
	}
	*out = l;
	return EM_OK;
nomem:
	model_headers_free(l);
	return EM_ENOMEM;
}

void
model_headers_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p != NULL; p = p->next)
		hash_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

enum model_fail
model_status_fail(long status, int no_quota, const char **meaning)
{
	static const char *m;
	enum model_fail f = MF_FATAL;

	if (status == 429 && no_quota)
		m = "the account has no quota left";
	else if (status == 429)
		m = "rate limited", f = MF_RATE;
	else if (status == 503)
		m = "the server is not ready (loading or overloaded)", f = MF_RATE;
	else if (status >= 500 && status <= 599)
		m = "a server error", f = MF_SERVER;
	else if (status == 408 || status == 409 || status == 425)
		m = "the server could not take the request now", f = MF_SERVER;
	else if (status == 400 || status == 413 || status == 422)
		m = "the server refused this item", f = MF_REFUSED;
	else if (status == 401 || status == 403)
		m = "the endpoint refused the request's credentials (see --api-key-env, --api-key-header)";
	else if (status == 404)
		m = "no such path or model (check --endpoint, --api and --served-model)";
	else if (status == 405 || status == 415)
		m = "the endpoint does not speak this API (check --endpoint and --api)";
	else
		m = "an HTTP status evalmesh does not go on from";
	*meaning = m;
	return f;
}

enum model_fail
model_http_classify(long status, const char *body, size_t len, const char *url,
    char *why, size_t cap)
{
	char show[112], scratch[16];
	const char *meaning;
	enum model_fail f;
	long code;
	int no_quota = 0, w;

	model_url_show(url, show, sizeof show);
	if (status == 429)
		model_error_read(body, len, scratch, sizeof scratch, &code, &no_quota);
	f = model_status_fail(status, no_quota, &meaning);
	w = snprintf(why, cap, "HTTP %ld from %s: %s", status, show, meaning);
	if (w > 0 && (size_t)w + 12 < cap) {
		memcpy(why + w, ": ", 3);
		model_error_read(body, len, why + w + 2, cap - (size_t)w - 2, &code, &no_quota);
	}
	return f;
}
