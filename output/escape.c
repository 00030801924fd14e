/*
 * escape.c - sanitises host-derived text before a library writes it into
 * XML or JSON (see escape.h for why).
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/*
 * Decodes one UTF-8 sequence at p (n bytes left).  Returns its length and
 * sets *cp, or 0 when the bytes are not a valid, shortest-form encoding of
 * a Unicode scalar value.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not
	 * characters. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]. */
static int
xml_char(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* What the character c (encoded in len bytes) becomes: 0 keep, 1 replace,
 * 2 space. */
static int
verdict(unsigned long c, size_t len, enum escape_lang lang)
{
	if (len == 0 || c == 0)
		return 1;
	if (lang == ESCAPE_JSON)
		return 0;
	if (!xml_char(c) || (lang == ESCAPE_TERM && c >= 0x7f && c <= 0x9f))
		return 1;
	if (lang != ESCAPE_XML && (c == 0x9 || c == 0xa || c == 0xd))
		return 2;
	return 0;
}

char *
escape_text(const char *s, size_t n, enum escape_lang lang)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	size_t i = 0;

	/* Each input byte becomes at most three output bytes. */
	out = o = xmalloc(n * 3 + 1);
	while (i < n) {
		unsigned long c = 0;
		size_t len = utf8_decode(p + i, n - i, &c);

		switch (verdict(c, len, lang)) {
		case 0:
			memcpy(o, p + i, len);
			o += len;
			break;
		case 1:
			memcpy(o, ESCAPE_REPLACEMENT, 3);
			o += 3;
			break;
		default:
			*o++ = ' ';
			break;
		}
		i += len ? len : 1;
	}
	*o = '\0';
	return out;
}

int
escape_is_clean(const char *s, size_t n, enum escape_lang lang)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned long c = 0;
		size_t len = utf8_decode(p + i, n - i, &c);

		if (verdict(c, len, lang) != 0)
			return 0;
		i += len;
	}
	return 1;
}

char *
escape_json_value(const json_t *v, enum escape_lang lang)
{
	if (!json_is_string(v))
		return xstrdup("");
	return escape_text(json_string_value(v), json_string_length(v), lang);
}

json_t *
escape_json_string(const char *s)
{
	char *clean;
	json_t *j;

	if (s == NULL)
		return json_string("");
	clean = escape_text(s, strlen(s), ESCAPE_JSON);
	j = json_string(clean);
	free(clean);
	/* escape_text guarantees valid UTF-8 without NUL, which jansson
	 * always accepts; anything else is memory exhaustion. */
	if (j == NULL)
		abort();
	return j;
}

json_t *
escape_json_deep(const json_t *v)
{
	const char *k;
	const json_t *m;
	json_t *out;
	size_t i;

	if (v == NULL)
		return json_null();
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach((json_t *)v, k, m) {
			char *key = escape_text(k, strlen(k), ESCAPE_JSON);

			json_object_set_new(out, key, escape_json_deep(m));
			free(key);
		}
		return out;
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, m)
			json_array_append_new(out, escape_json_deep(m));
		return out;
	case JSON_STRING: {
		char *clean = escape_json_value(v, ESCAPE_JSON);

		out = json_string(clean);
		free(clean);
		if (out == NULL)
			abort();
		return out;
	}
	default:
		return json_deep_copy(v);
	}
}

char *
escape_json_dump(const json_t *v, size_t flags)
{
	json_t *clean = escape_json_deep(v);
	char *s = json_dumps(clean, flags | JSON_ENCODE_ANY);

	json_decref(clean);
	/* A sanitised value always dumps; NULL is memory exhaustion. */
	if (s == NULL)
		abort();
	return s;
}
