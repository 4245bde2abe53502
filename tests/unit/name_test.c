/* common/name: which characters a name may hold, by a table of real
 * attack strings and of real names in many scripts; how a name is shown;
 * NFC; when two names are one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "utf8.h"

struct row {
	const char	*what;
	const char	*s;
	enum name_fault	 f;	/* the first fault */
	uint32_t	 cp;	/* at this code point */
	const char	*shown;	/* name_show's output; NULL: s itself */
};

/* Strings that fake output or hide: each is refused at publish, and shown
 * with the character that hides written out. */
static const struct row attacks[] = {
	/* Trojan Source (Boucher and Anderson 2021, CVE-2021-42574), the
	 * paper's repository nickboucher/trojan-source: C/commenting-out
	 * (RLO, LRI, PDI around "if (isAdmin)") and C/stretched-string */
	{ "trojan source: commenting out",
	  "/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */", NAME_BIDI, 0x202e,
	  "/*<U+202E> } <U+2066>if (isAdmin)<U+2069> <U+2066> begin admins only */" },
	{ "trojan source: stretched string", "user\u202e \u2066// Check if admin\u2069 \u2066",
	  NAME_BIDI, 0x202e, "user<U+202E> <U+2066>// Check if admin<U+2069> <U+2066>" },
	/* the paper's invisible characters: a zero-width space inside a name
	 * makes a second one that looks the same */
	{ "trojan source: invisible function", "is\u200bAdmin", NAME_INVISIBLE, 0x200b,
	  "is<U+200B>Admin" },
	/* MITRE ATT&CK T1036.002: a right-to-left override makes
	 * "photo_<RLO>gpj.exe" read as photo_exe.jpg */
	{ "RLO file name", "photo_\u202egpj.exe", NAME_BIDI, 0x202e, "photo_<U+202E>gpj.exe" },
	{ "LRE", "a\u202ab", NAME_BIDI, 0x202a, "a<U+202A>b" },
	{ "RLE", "a\u202bb", NAME_BIDI, 0x202b, "a<U+202B>b" },
	{ "PDF", "a\u202cb", NAME_BIDI, 0x202c, "a<U+202C>b" },
	{ "LRO", "a\u202db", NAME_BIDI, 0x202d, "a<U+202D>b" },
	{ "RLI", "a\u2067b", NAME_BIDI, 0x2067, "a<U+2067>b" },
	{ "FSI", "a\u2068b", NAME_BIDI, 0x2068, "a<U+2068>b" },
	{ "left-to-right mark", "gpt-4\u200e", NAME_BIDI, 0x200e, "gpt-4<U+200E>" },
	{ "right-to-left mark", "\u200fgpt-4", NAME_BIDI, 0x200f, "<U+200F>gpt-4" },
	{ "Arabic letter mark", "gpt\u061c-4", NAME_BIDI, 0x061c, "gpt<U+061C>-4" },
	/* the fake leaderboard row, and a screen clear */
	{ "line feed: a fake row", "evil\nRANK 1 fake", NAME_CONTROL, '\n',
	  "evil<U+000A>RANK 1 fake" },
	{ "escape: clear screen", "m\x1b[2J", NAME_CONTROL, 0x1b, "m<U+001B>[2J" },
	{ "carriage return", "good\rbad", NAME_CONTROL, '\r', "good<U+000D>bad" },
	{ "tab", "a\tb", NAME_CONTROL, '\t', "a<U+0009>b" },
	{ "DEL", "a\x7f", NAME_CONTROL, 0x7f, "a<U+007F>" },
	{ "C1 next line", "a\xc2\x85" "b", NAME_CONTROL, 0x85, "a<U+0085>b" },
	{ "C1 CSI", "a\xc2\x9b" "2J", NAME_CONTROL, 0x9b, "a<U+009B>2J" },
	{ "line separator", "a\u2028b", NAME_CONTROL, 0x2028, "a<U+2028>b" },
	{ "paragraph separator", "a\u2029b", NAME_CONTROL, 0x2029, "a<U+2029>b" },
	/* "The Invisible JavaScript Backdoor" (Certitude, 2021): a Hangul
	 * filler as a name that shows as nothing */
	{ "Hangul filler U+3164", "timeout,\u3164", NAME_INVISIBLE, 0x3164, "timeout,<U+3164>" },
	{ "Hangul choseong filler", "\u115f", NAME_INVISIBLE, 0x115f, "<U+115F>" },
	{ "halfwidth Hangul filler", "a\uffa0", NAME_INVISIBLE, 0xffa0, "a<U+FFA0>" },
	{ "soft hyphen", "gpt\u00ad4", NAME_INVISIBLE, 0xad, "gpt<U+00AD>4" },
	{ "word joiner", "gpt\u20604", NAME_INVISIBLE, 0x2060, "gpt<U+2060>4" },
	{ "invisible times", "a\u2062b", NAME_INVISIBLE, 0x2062, "a<U+2062>b" },
	{ "BOM inside", "gpt\ufeff-4", NAME_INVISIBLE, 0xfeff, "gpt<U+FEFF>-4" },
	{ "Mongolian vowel separator", "a\u180eb", NAME_INVISIBLE, 0x180e, "a<U+180E>b" },
	{ "Mongolian selector", "a\u180bb", NAME_INVISIBLE, 0x180b, "a<U+180B>b" },
	{ "combining grapheme joiner", "a\u034fb", NAME_INVISIBLE, 0x034f, "a<U+034F>b" },
	{ "deprecated format U+206A", "a\u206ab", NAME_INVISIBLE, 0x206a, "a<U+206A>b" },
	{ "interlinear annotation", "a\ufff9b\ufffb", NAME_INVISIBLE, 0xfff9,
	  "a<U+FFF9>b<U+FFFB>" },
	{ "Arabic number sign", "\u0600" "12", NAME_INVISIBLE, 0x0600, "<U+0600>12" },
	{ "musical symbol begin beam", "a\U0001d173", NAME_INVISIBLE, 0x1d173, "a<U+1D173>" },
	/* joiners only hide between ASCII letters or at an end */
	{ "zero-width joiner in ASCII", "gpt\u200d4", NAME_JOINER, 0x200d, "gpt<U+200D>4" },
	{ "zero-width non-joiner last", "\u0645\u200c", NAME_JOINER, 0x200c, "\u0645<U+200C>" },
	{ "two joiners", "\U0001f468\u200d\u200d\U0001f469", NAME_JOINER, 0x200d,
	  "\U0001f468<U+200D><U+200D>\U0001f469" },
	/* "Smuggling arbitrary data through an emoji" (Paul Butler, 2025):
	 * bytes as variation selectors after one emoji */
	{ "emoji smuggling", "\U0001f600\ufe00\U000e0101\U000e0150", NAME_VARIATION, 0xe0101,
	  "\U0001f600\ufe00<U+E0101><U+E0150>" },
	{ "selector after an ASCII letter", "gpt\ufe0f", NAME_VARIATION, 0xfe0f, "gpt<U+FE0F>" },
	{ "selector first", "\ufe0fgpt", NAME_VARIATION, 0xfe0f, "<U+FE0F>gpt" },
	/* "ASCII smuggling": tag characters spell hidden ASCII */
	{ "tag characters", "gpt\U000e0069\U000e0067", NAME_TAG, 0xe0069,
	  "gpt<U+E0069><U+E0067>" },
	{ "language tag", "\U000e0001x", NAME_TAG, 0xe0001, "<U+E0001>x" },
	{ "England flag's tags", "\U0001f3f4\U000e0067\U000e0062\U000e007f", NAME_TAG, 0xe0067,
	  "\U0001f3f4<U+E0067><U+E0062><U+E007F>" },
	{ "private use", "m\ue000", NAME_PRIVATE, 0xe000, "m<U+E000>" },
	{ "plane 15 private use", "m\U000f0000", NAME_PRIVATE, 0xf0000, "m<U+F0000>" },
	{ "unassigned U+0378", "a\u0378", NAME_UNASSIGNED, 0x0378, "a<U+0378>" },
	{ "unassigned default ignorable U+2065", "a\u2065", NAME_UNASSIGNED, 0x2065, "a<U+2065>" },
	{ "noncharacter", "a\ufdd0", NAME_UNASSIGNED, 0xfdd0, "a<U+FDD0>" },
	{ "noncharacter U+FFFF", "a\uffff", NAME_UNASSIGNED, 0xffff, "a<U+FFFF>" },
	{ "combining mark first", "\u0301gpt", NAME_MARK, 0x0301, "<U+0301>gpt" },
	{ "zalgo", "a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309",
	  NAME_MARKS, 0x0308, "a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307<U+0308><U+0309>" },
	/* a joiner or selector next to a character written out would hide
	 * in the written-out text: it is written out too (found by
	 * tests/fuzz/name_fuzz) */
	{ "joiner before an escaped selector", "\U0001f3f3\u200d\ufe0f", NAME_JOINER, 0x200d,
	  "\U0001f3f3<U+200D><U+FE0F>" },
	{ "selector after bad bytes", "\xf0\x9f\x1d\xb3\ufe0f\u200d\U0001f308", NAME_UTF8, 0xf0,
	  "<0xF0><0x9F><U+001D><0xB3><U+FE0F><U+200D>\U0001f308" },
	{ "not UTF-8", "ab\xff", NAME_UTF8, 0xff, "ab<0xFF>" },
	{ "a cut character", "ab\xe2\x80", NAME_UTF8, 0xe2, "ab<0xE2><0x80>" },
};

/* Real names: they are signed as they are and shown as themselves. */
static const char *const names[] = {
	"gpt-4o", "Llama-3.1-8B-Instruct", "Qwen2.5 72B", "mistral@v0.3", "claude 3.5 (new)",
	"caf\u00e9", "cafe\u0301",			/* NFC and NFD: both are fine to hold */
	"\u901a\u4e49\u5343\u95ee",			/* 通义千问 */
	"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",	/* می‌خواهم: ZWNJ in Persian */
	"\u0915\u094d\u200d\u0937",			/* क्‍ष: ZWJ after a virama */
	"\U0001f468\u200d\U0001f469\u200d\U0001f467",	/* family: ZWJ sequence */
	"\U0001f3f3\ufe0f\u200d\U0001f308",		/* rainbow flag: VS16 then ZWJ */
	"\u2764\ufe0f",					/* ❤️ */
	"1\ufe0f\u20e3",				/* keycap one */
	"\u845b\U000e0100",				/* 葛󠄀: an ideographic variant */
	"Ti\u1ebfng Vi\u1ec7t",				/* Vietnamese */
	"\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd",	/* שָׁלוֹם with points */
	"\u0939\u093f\u0928\u094d\u0926\u0940",		/* हिन्दी */
	"\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",	/* ภาษาไทย */
	"\u0627\u0644\u0639\u0631\u0628\u064a\u0629",	/* العربية */
	"\u00a0no-break\u3000ideographic space",	/* spaces show as spaces */
	"",
};

static void
test_attacks(void **state)
{
	char why[256], buf[NAME_SHOW_CAP(128)];

	(void)state;
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
		const struct row *r = &attacks[i];
		uint32_t cp = 0;
		enum name_fault f = name_fault_at(r->s, NULL, &cp);
		const char *shown = name_show(r->s, buf, sizeof buf);

		if (f != r->f || cp != r->cp || strcmp(shown, r->shown) != 0)
			fail_msg("%s: fault %d at U+%04X, shown '%s'; wanted %d at U+%04X, '%s'",
			    r->what, f, cp, shown, r->f, r->cp, r->shown);
		assert_int_not_equal(name_check(r->s, why, sizeof why), EM_OK);
		assert_true(strstr(why, name_fault_why(r->f)) != NULL);
		/* what is shown is a name that would pass */
		assert_int_equal(name_fault_at(shown, NULL, NULL), NAME_OK);
	}
}

static void
test_names(void **state)
{
	char why[256], buf[NAME_SHOW_CAP(128)];

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (name_check(names[i], why, sizeof why) != EM_OK)
			fail_msg("'%s' refused: %s", names[i], why);
		assert_ptr_equal(name_show(names[i], buf, sizeof buf), names[i]);
	}
}

/* Everything the decoder refuses (utf8_printable's frozen list) the name
 * rule refuses too: what is shown escaped is a superset. */
static void
test_decoder_subset(void **state)
{
	(void)state;
	for (uint32_t cp = 1; cp < 0x30000; cp++) {
		char s[8];
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (n == 1)
			s[0] = (char)cp;
		else if (n == 2)
			s[0] = (char)(0xc0 | cp >> 6), s[1] = (char)(0x80 | (cp & 0x3f));
		else if (n == 3)
			s[0] = (char)(0xe0 | cp >> 12), s[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
			s[2] = (char)(0x80 | (cp & 0x3f));
		else
			s[0] = (char)(0xf0 | cp >> 18), s[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
			s[2] = (char)(0x80 | (cp >> 6 & 0x3f)), s[3] = (char)(0x80 | (cp & 0x3f));
		s[n] = '\0';
		if (!utf8_printable((const uint8_t *)s, n) && name_fault_at(s, NULL, NULL) == NAME_OK)
			fail_msg("U+%04X: the decoder refuses it, the name rule does not", cp);
	}
}

static void
test_show_cut(void **state)
{
	char small[16], exact[NAME_SHOW_CAP(3)];

	(void)state;
	/* cut with "…", within cap, never inside an escape */
	assert_string_equal(name_show("abc\u202edefghijklmnop", small, sizeof small),
	    "abc<U+202E>d\u2026");
	assert_string_equal(name_show("abc\u202edefghijklmnop", small, 12), "abc\u2026");
	assert_string_equal(name_show("\x01\x02\x03", exact, sizeof exact),
	    "<U+0001><U+0002><U+0003>");
	assert_string_equal(name_show("\x01", small, 3), "");
}

static void
test_nfc(void **state)
{
	char out[NAME_KEY_CAP(16)];

	(void)state;
	assert_int_equal(name_nfc("cafe\u0301", out, sizeof out), EM_OK);
	assert_string_equal(out, "caf\u00e9");
	assert_int_equal(name_nfc("gpt-4", out, sizeof out), EM_OK);
	assert_string_equal(out, "gpt-4");
	/* U+0958 is excluded from composition: NFC makes it longer */
	assert_int_equal(name_nfc("\u0958", out, sizeof out), EM_OK);
	assert_string_equal(out, "\u0915\u093c");
	assert_int_equal(name_nfc("\u0958", out, 6), EM_ETOOBIG);
	assert_int_equal(name_nfc("abc", out, 3), EM_ETOOBIG);
	assert_int_equal(name_nfc("ab\xff", out, sizeof out), EM_EUTF8);
}

static void
test_same(void **state)
{
	static const char *const one[][2] = {
		{ "caf\u00e9", "cafe\u0301" },			/* normalisation */
		{ "\u1ec7", "e\u0323\u0302" },			/* ệ, marks in either order */
		{ "\u1ec7", "e\u0302\u0323" },
		{ "is\u200bAdmin", "isAdmin" },			/* what does not show */
		{ "gpt\u00ad4", "gpt4" },
		{ "gpt-4\U000e0069", "gpt-4" },
		{ "\u2764\ufe0f", "\u2764" },
		{ "\u0645\u06cc\u200c\u062e", "\u0645\u06cc\u062e" },
		{ "gpt 4", "gpt\u00a04" },			/* spaces */
		{ "gpt-4 ", "gpt-4" },
		{ " a  b ", "a b" },
		{ "a\u3000b", "a b" },
	};
	static const char *const two[][2] = {
		{ "gpt-4", "gpt-5" },
		{ "gpt", "GPT" },				/* case is not folded */
		{ "\uff27PT", "GPT" },				/* NFC, not NFKC */
		{ "\u0430", "a" },				/* Cyrillic а: not a confusable map */
		{ "ab", "a b" },
	};
	char key[NAME_KEY_CAP(32)];

	(void)state;
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
		if (!name_same(one[i][0], one[i][1]))
			fail_msg("'%s' and '%s' should be one name", one[i][0], one[i][1]);
	for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
		if (name_same(two[i][0], two[i][1]))
			fail_msg("'%s' and '%s' should be two names", two[i][0], two[i][1]);
	assert_int_equal(name_key(" x\u200b\u00a0\u00a0y\u2003", key, sizeof key), EM_OK);
	assert_string_equal(key, "x y");
	assert_int_equal(name_key("\u200b", key, sizeof key), EM_OK);
	assert_string_equal(key, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decoder_subset),
		cmocka_unit_test(test_show_cut),
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
