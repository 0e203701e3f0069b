/*
 * The scanner: finds Jira REST paths in the text of one source file and,
 * for each, the HTTP method and the kind of client that sends it.
 *
 * It works on text with local heuristics rather than a parser for each
 * language. A file costs one memmem() when it names no "/rest/" path. Once
 * a path is seen, a small lexer (strings, comments) runs forward over the
 * file once, and the work around each path is bounded by a window of a few
 * lines, so the cost stays linear in the file size. Turning the paths into
 * catalog operations (parameters, query strings) is left to the catalog.
 */
#include "scanner.h"

#include "common.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest path kept for one hit, in bytes. */
#define MAX_PATH_LEN 2048
/* How far the scanner looks around a path for the call that sends it. */
#define BACK_LINES 3
#define BACK_BYTES 1024
#define FWD_LINES 10
#define FWD_BYTES 4096
/* Bytes looked at on each side of a call on its own line, for credentials. */
#define SAME_LINE_BYTES 256
/* Enclosing calls examined outward from a path (`a(b(c("/rest/...")))`). */
#define MAX_CALL_LEVELS 4
/* Uses of a variable examined when a path is assigned to one. */
#define MAX_VAR_USES 8
/* Pieces joined in one `'...' + x + '...'` concatenation. */
#define MAX_CONCAT_PIECES 16

#define NO_POS SIZE_MAX

enum lex_mode { LEX_CODE, LEX_STRING, LEX_LINE_COMMENT, LEX_BLOCK_COMMENT };

/* One scan of one file: the input and the lexer's state at `lex_pos`. */
struct scan {
	const char *d;
	size_t len;
	gjs_language lang;

	size_t lex_pos;
	unsigned line;       /* newlines before lex_pos */
	enum lex_mode mode;
	char quote;          /* the quote character while in LEX_STRING */
	bool triple;         /* a """ or ''' string */
	bool escaped;        /* the previous byte was a backslash in a string */
	unsigned interp;     /* depth of ${...} or #{...} inside the string */
	size_t quote_pos;    /* the opening quote (the last of three for triples) */

	size_t prev_end;     /* end of the statement of the previous path's call */
};

enum client {
	CLIENT_NONE = 0,
	CLIENT_FORGE,   /* requestJira and wrappers named after it */
	CLIENT_CONNECT, /* AP.request, atlassian-connect-express httpClient */
	CLIENT_HTTP,    /* any other recognised HTTP client */
};

/* A call found around a path, or a shell command that sends one. */
struct call {
	bool found;          /* a call of some kind encloses the path */
	enum client client;
	bool shell;          /* a curl, wget or HTTPie command line */
	bool php_curl;       /* curl_init or curl_setopt, whose CURLOPT_* lines give the method */
	bool builder;        /* a request builder: the method may follow the call */
	bool default_get;    /* the client sends GET when it is given no method */
	const char *verb;    /* the method given by the callee's name */
	size_t chain_start;  /* the callee's text, `api.asApp().requestJira` */
	size_t open;         /* the opening parenthesis, or the command's start */
	size_t close;        /* just past the closing parenthesis, or the command's end */
	unsigned inner;      /* brackets between the call's parenthesis and the path */
};

static const char *const verbs[] = { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" };

static bool is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* strchr() for a byte of the input, which may be NUL. */
static bool in_set(unsigned char c, const char *set)
{
	return c && strchr(set, c);
}

static bool is_quote(unsigned char c)
{
	return c == '"' || c == '\'' || c == '`';
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Returns the canonical verb for `len` bytes at `s` that spell one (any case), else NULL. */
static const char *verb_named(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i]) == len && !strncasecmp(s, verbs[i], len))
			return verbs[i];
	return NULL;
}

/* Case-insensitive search of `needle` in d[a, b). */
static size_t find_ci(const char *d, size_t a, size_t b, const char *needle)
{
	size_t n = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	for (size_t i = a; i + n <= b; i++)
		if (tolower((unsigned char)d[i]) == first && !strncasecmp(d + i, needle, n))
			return i;
	return NO_POS;
}

/* Case-insensitive search of `word` in d[a, b) with no identifier byte on either side. */
static size_t find_word_ci(const char *d, size_t a, size_t b, const char *word)
{
	size_t n = strlen(word);
	size_t i = a;

	while ((i = find_ci(d, i, b, word)) != NO_POS) {
		bool left = i == 0 || !is_ident((unsigned char)d[i - 1]);
		bool right = i + n >= b || !is_ident((unsigned char)d[i + n]);

		if (left && right)
			return i;
		i++;
	}
	return NO_POS;
}

static bool range_has_ci(const char *d, size_t a, size_t b, const char *needle)
{
	return find_ci(d, a, b, needle) != NO_POS;
}

/* Start of the line `lines` lines above the one holding `pos`, at most `bytes` back. */
static size_t back_limit(const struct scan *sc, size_t pos, unsigned lines, size_t bytes)
{
	size_t floor = pos > bytes ? pos - bytes : 0;
	unsigned seen = 0;

	for (size_t i = pos; i > floor; i--)
		if (sc->d[i - 1] == '\n' && ++seen > lines)
			return i;
	return floor;
}

/* End of the line `lines` lines below the one holding `pos`, at most `bytes` on. */
static size_t fwd_limit(const struct scan *sc, size_t pos, unsigned lines, size_t bytes)
{
	size_t ceil = min_size(sc->len, pos + bytes);
	unsigned seen = 0;

	for (size_t i = pos; i < ceil; i++)
		if (sc->d[i] == '\n' && ++seen > lines)
			return i;
	return ceil;
}

/* ------------------------------------------------------------------ lexer */

static bool has_slash_comments(gjs_language lang)
{
	return lang == GJS_LANG_JS || lang == GJS_LANG_JAVA || lang == GJS_LANG_KOTLIN ||
		lang == GJS_LANG_GO || lang == GJS_LANG_CSHARP || lang == GJS_LANG_PHP;
}

static bool has_hash_comments(gjs_language lang)
{
	return lang == GJS_LANG_PYTHON || lang == GJS_LANG_RUBY || lang == GJS_LANG_SHELL ||
		lang == GJS_LANG_PHP;
}

static bool has_triple_quotes(gjs_language lang)
{
	return lang == GJS_LANG_PYTHON || lang == GJS_LANG_KOTLIN || lang == GJS_LANG_JAVA ||
		lang == GJS_LANG_CSHARP;
}

/* Strings that may run over several lines: triples, JS templates and Go raw strings. */
static bool string_spans_lines(const struct scan *sc)
{
	return sc->triple || (sc->quote == '`' && (sc->lang == GJS_LANG_JS || sc->lang == GJS_LANG_GO));
}

static bool string_has_escapes(const struct scan *sc)
{
	if (sc->quote == '`' && sc->lang == GJS_LANG_GO)
		return false;
	return !(sc->quote == '\'' && sc->lang == GJS_LANG_SHELL);
}

static size_t lex_string(struct scan *sc, size_t i)
{
	const char *d = sc->d;
	char c = d[i];

	if (sc->escaped) {
		sc->escaped = false;
		return i + 1;
	}
	if (c == '\n' && !string_spans_lines(sc)) {
		/* An unterminated string ends with its line. */
		sc->mode = LEX_CODE;
		sc->interp = 0;
		return i + 1;
	}
	if (c == '\\' && string_has_escapes(sc)) {
		sc->escaped = true;
		return i + 1;
	}
	if (sc->interp) {
		if (c == '{')
			sc->interp++;
		else if (c == '}')
			sc->interp--;
		return i + 1;
	}
	if (c == '{' && sc->quote != '\'' && i > 0 && (d[i - 1] == '$' || d[i - 1] == '#')) {
		sc->interp = 1;
		return i + 1;
	}
	if (c != sc->quote)
		return i + 1;
	if (!sc->triple) {
		sc->mode = LEX_CODE;
		return i + 1;
	}
	if (i + 2 < sc->len && d[i + 1] == c && d[i + 2] == c) {
		sc->mode = LEX_CODE;
		return i + 3;
	}
	return i + 1;
}

static size_t lex_code(struct scan *sc, size_t i)
{
	const char *d = sc->d;
	char c = d[i];
	char next = i + 1 < sc->len ? d[i + 1] : '\0';

	if (is_quote((unsigned char)c)) {
		sc->mode = LEX_STRING;
		sc->quote = c;
		sc->interp = 0;
		sc->escaped = false;
		sc->triple = c != '`' && has_triple_quotes(sc->lang) && next == c &&
			i + 2 < sc->len && d[i + 2] == c;
		sc->quote_pos = sc->triple ? i + 2 : i;
		return sc->triple ? i + 3 : i + 1;
	}
	/*
	 * NOTE: JS regular expression literals are lexed as code, so a quote
	 * inside one opens a string until the line ends.
	 */
	if (c == '/' && has_slash_comments(sc->lang) && (next == '/' || next == '*')) {
		sc->mode = next == '/' ? LEX_LINE_COMMENT : LEX_BLOCK_COMMENT;
		return i + 2;
	}
	if (c == '#' && has_hash_comments(sc->lang)) {
		bool comment = true;

		/* In shell `#` starts a comment only at the start of a word. */
		if (sc->lang == GJS_LANG_SHELL && i > 0 && !in_set((unsigned char)d[i - 1], " \t\n;|&("))
			comment = false;
		/* PHP 8 attributes are `#[...]`. */
		if (sc->lang == GJS_LANG_PHP && next == '[')
			comment = false;
		if (comment) {
			sc->mode = LEX_LINE_COMMENT;
			return i + 1;
		}
	}
	return i + 1;
}

/* Advances the lexer to `target`; the lexer only moves forward. */
static void lex_to(struct scan *sc, size_t target)
{
	const char *d = sc->d;
	size_t i = sc->lex_pos;

	while (i < target) {
		if (d[i] == '\n')
			sc->line++;
		switch (sc->mode) {
		case LEX_LINE_COMMENT:
			if (d[i] == '\n')
				sc->mode = LEX_CODE;
			i++;
			break;
		case LEX_BLOCK_COMMENT:
			if (d[i] == '*' && i + 1 < sc->len && d[i + 1] == '/') {
				sc->mode = LEX_CODE;
				i += 2;
			} else {
				i++;
			}
			break;
		case LEX_STRING:
			i = lex_string(sc, i);
			break;
		case LEX_CODE:
			i = lex_code(sc, i);
			break;
		}
	}
	if (i > sc->lex_pos)
		sc->lex_pos = i;
}

/* ---------------------------------------------------------- the literal */

/* The string literal (or bare shell word) that contains one path. */
struct literal {
	size_t open;     /* the opening quote, or the word's first byte */
	char quote;      /* 0 for a bare word */
	bool closed;     /* the path ran up to the closing quote */
	size_t end;      /* just past the literal's closing quote when closed */
	size_t expr_end; /* just past the whole expression, concatenation included */
};

/* Bytes that end a path written as a bare word (shell arguments, mostly). */
static bool ends_bare_word(const struct scan *sc, unsigned char c)
{
	if (in_set((unsigned char)c, "'\"`;|<>()[],"))
		return true;
	return c == '&' && sc->lang == GJS_LANG_SHELL;
}

/*
 * Reads the path text that starts at `p` inside a literal quoted with
 * `quote` (0 for a bare word) and appends it to `path`. Placeholders
 * (`${a}`, `{0}`, `#{a}`) are kept whole even when they hold spaces.
 * Returns the position where the path ends.
 */
static size_t read_path_text(const struct scan *sc, size_t p, char quote, gjs_buf *path,
	bool *closed)
{
	const char *d = sc->d;
	size_t limit = min_size(sc->len, p + MAX_PATH_LEN);
	size_t i = p;
	unsigned depth = 0;
	bool strong = false;

	*closed = false;
	while (i < limit) {
		unsigned char c = (unsigned char)d[i];

		if (c == '\n' || c == '\r' || c == '\0')
			break;
		if (depth) {
			if (c < 0x20 || c >= 0x7f)
				break;
			if (!strong && quote && c == (unsigned char)quote)
				break;
			if (c == '{')
				depth++;
			else if (c == '}')
				depth--;
			i++;
			continue;
		}
		if (quote && c == (unsigned char)quote) {
			*closed = true;
			break;
		}
		if (c == '{') {
			/* ${...} and #{...} may hold quotes; {0} and {key} may not. */
			strong = i > p && (d[i - 1] == '$' || d[i - 1] == '#');
			depth = 1;
			i++;
			continue;
		}
		if (c <= ' ' || c >= 0x7f)
			break;
		if (c == '\\') {
			if (quote && i + 1 < limit && d[i + 1] > ' ' && (unsigned char)d[i + 1] < 0x7f) {
				i += 2;
				continue;
			}
			break;
		}
		if (!quote && ends_bare_word(sc, c))
			break;
		i++;
	}
	gjs_buf_put(path, d + p, i - p);
	return i;
}

static size_t skip_spaces(const struct scan *sc, size_t i, size_t limit)
{
	while (i < limit && is_space((unsigned char)sc->d[i]))
		i++;
	return i;
}

/* Skips a quoted string that opens at `i`; stays on its line unless it is a backtick. */
static size_t skip_string(const struct scan *sc, size_t i, size_t limit)
{
	const char *d = sc->d;
	char q = d[i];

	for (size_t j = i + 1; j < limit; j++) {
		if (d[j] == '\\') {
			j++;
			continue;
		}
		if (d[j] == q)
			return j + 1;
		if (d[j] == '\n' && q != '`')
			return j;
	}
	return limit;
}

/* Skips a balanced (...) or [...] group opening at `i`. */
static size_t skip_group(const struct scan *sc, size_t i, size_t limit)
{
	const char *d = sc->d;
	unsigned depth = 0;

	while (i < limit) {
		char c = d[i];

		if (is_quote((unsigned char)c)) {
			i = skip_string(sc, i, limit);
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth <= 1)
				return i + 1;
			depth--;
		}
		i++;
	}
	return limit;
}

/* Reads one operand of a concatenation (`key`, `issue.key`, `enc(x)[0]`, `$id`). */
static size_t read_operand(const struct scan *sc, size_t i, size_t limit)
{
	const char *d = sc->d;
	size_t start = i;

	while (i < limit) {
		unsigned char c = (unsigned char)d[i];

		if (is_ident(c) || c == '@') {
			i++;
		} else if ((c == '.' || c == '?') && i + 1 < limit &&
			(is_ident((unsigned char)d[i + 1]) || d[i + 1] == '.')) {
			i++;
		} else if ((c == '-' && i + 1 < limit && d[i + 1] == '>') ||
			(c == ':' && i + 1 < limit && d[i + 1] == ':')) {
			i += 2;
		} else if ((c == '(' || c == '[') && i > start) {
			i = skip_group(sc, i, limit);
		} else {
			break;
		}
	}
	return i;
}

/* Position of the quote that opens a string literal at `i`, past prefixes like f"", $"", @"". */
static size_t literal_quote_at(const struct scan *sc, size_t i, size_t limit)
{
	const char *d = sc->d;

	for (size_t j = i; j < limit && j < i + 3; j++) {
		if (is_quote((unsigned char)d[j]))
			return j;
		if (!in_set((unsigned char)d[j], "fFrRbBuU$@"))
			break;
	}
	return NO_POS;
}

/*
 * Follows a concatenation after the closed literal ending at `i`
 * (`'/rest/api/3/issue/' + key + '/comment'`, PHP's `.`) and appends each
 * literal piece as written and each other operand as "{}". Returns the end
 * of the whole expression.
 */
static size_t read_concat(const struct scan *sc, size_t i, gjs_buf *path)
{
	const char *d = sc->d;
	char op = sc->lang == GJS_LANG_PHP ? '.' : '+';
	size_t limit = fwd_limit(sc, i, FWD_LINES, FWD_BYTES);

	if (sc->lang == GJS_LANG_SHELL)
		return i;
	for (unsigned piece = 0; piece < MAX_CONCAT_PIECES; piece++) {
		size_t j = skip_spaces(sc, i, limit);
		size_t q;

		if (j >= limit || d[j] != op || (j + 1 < limit && (d[j + 1] == op || d[j + 1] == '=')))
			break;
		j = skip_spaces(sc, j + 1, limit);
		if (j >= limit)
			break;
		q = literal_quote_at(sc, j, limit);
		if (q != NO_POS) {
			bool closed;
			size_t end = read_path_text(sc, q + 1, d[q], path, &closed);

			if (!closed)
				return end;
			i = end + 1;
		} else {
			size_t end = read_operand(sc, j, limit);

			if (end == j)
				break;
			gjs_buf_puts(path, "{}");
			i = end;
		}
	}
	return i;
}

/* Finds the literal around the path at `p` from the lexer's state there. */
static void locate_literal(const struct scan *sc, size_t p, struct literal *lit)
{
	const char *d = sc->d;

	memset(lit, 0, sizeof(*lit));
	if (sc->mode == LEX_STRING && sc->lex_pos <= p + 1) {
		lit->open = sc->quote_pos;
		lit->quote = sc->quote;
		return;
	}

	/* A bare word: `curl https://site/rest/api/3/myself`. */
	size_t floor = p > 512 ? p - 512 : 0;
	size_t j = p;

	while (j > floor && !is_space((unsigned char)d[j - 1]) && !ends_bare_word(sc, (unsigned char)d[j - 1]) &&
		d[j - 1] != '=' && d[j - 1] != '{')
		j--;
	lit->open = j;
}

/* -------------------------------------------------------- finding calls */

/* Skips back over a string that ends with the quote at `i`; returns its opening quote. */
static size_t skip_string_back(const struct scan *sc, size_t i, size_t floor)
{
	const char *d = sc->d;
	char q = d[i];

	for (size_t j = i; j > floor; j--) {
		char c = d[j - 1];

		if (c == '\n' && q != '`')
			return i;
		if (c == q && !(j >= 2 && d[j - 2] == '\\'))
			return j - 1;
	}
	return i;
}

/* Skips back over a balanced group whose closer is at `i`; returns its opener or NO_POS. */
static size_t skip_group_back(const struct scan *sc, size_t i, size_t floor)
{
	const char *d = sc->d;
	char close = d[i];
	char open = '<';

	if (close == ')')
		open = '(';
	else if (close == ']')
		open = '[';
	unsigned depth = 0;

	for (size_t j = i + 1; j > floor; j--) {
		char c = d[j - 1];

		if (c == close) {
			depth++;
		} else if (c == open && --depth == 0) {
			return j - 1;
		} else if (c == '\n' && close == '>') {
			return NO_POS;
		}
	}
	return NO_POS;
}

/* Start of the callee chain that ends at `end` (`api.asApp().requestJira`, `Net::HTTP::Post.new`). */
static size_t callee_start(const struct scan *sc, size_t end, size_t floor)
{
	const char *d = sc->d;
	size_t j = end;

	while (j > floor && (d[j - 1] == ' ' || d[j - 1] == '\t'))
		j--;
	while (j > floor) {
		unsigned char c = (unsigned char)d[j - 1];

		if (is_ident(c) || c == '.' || c == ':' || c == '?') {
			j--;
		} else if (is_space(c) && j < end && d[j] == '.') {
			/* A chain that goes on over lines: `newBuilder()\n    .uri(...)`. */
			while (j > floor && is_space((unsigned char)d[j - 1]))
				j--;
		} else if (c == '>' && j >= 2 && j - 2 >= floor && d[j - 2] == '-') {
			j -= 2;
		} else if (c == ')' || c == ']' || c == '>') {
			size_t k = skip_group_back(sc, j - 1, floor);

			if (k == NO_POS)
				break;
			j = k;
		} else {
			break;
		}
	}
	/* The chain starts at an identifier, not at a separator. */
	while (j < end && (d[j] == '.' || d[j] == ':' || d[j] == '?'))
		j++;
	return j;
}

/*
 * Copies the last identifier of the chain d[start, end) into `name` and the
 * one before it into `prev`, skipping call and generic groups. For
 * `api.asApp().requestJira` they are `requestJira` and `asApp`.
 */
static void chain_names(const struct scan *sc, size_t start, size_t end, char *prev, char *name,
	size_t size)
{
	const char *d = sc->d;
	char *outs[2] = { name, prev };
	size_t j = end;

	name[0] = prev[0] = '\0';
	while (j > start && (d[j - 1] == ' ' || d[j - 1] == '\t'))
		j--;
	for (int k = 0; k < 2; k++) {
		size_t e;

		while (j > start && !is_ident((unsigned char)d[j - 1])) {
			if (d[j - 1] == ')' || d[j - 1] == ']' || d[j - 1] == '>') {
				size_t g = skip_group_back(sc, j - 1, start);

				if (g != NO_POS && !(d[j - 1] == '>' && j >= 2 && d[j - 2] == '-')) {
					j = g;
					continue;
				}
			}
			j--;
		}
		e = j;
		while (j > start && is_ident((unsigned char)d[j - 1]))
			j--;
		if (e - j < size) {
			memcpy(outs[k], d + j, e - j);
			outs[k][e - j] = '\0';
		}
	}
}

/* Returns the method named by a callee: `put`, `PostAsync`, `getForObject`, `HttpDelete`. */
static const char *verb_of_name(const char *name)
{
	static const char *const suffixes[] = {
		"", "async", "stringasync", "streamasync", "bytearrayasync", "fromjsonasync",
		"asjsonasync", "forobject", "forentity", "forlocation", "form", "json",
	};

	if (!strncmp(name, "Http", 4) && verb_named(name + 4, strlen(name + 4)))
		return verb_named(name + 4, strlen(name + 4));
	if (!strncmp(name, "wp_remote_", 10))
		return verb_named(name + 10, strlen(name + 10));
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
		size_t n = strlen(verbs[v]);

		if (strncasecmp(name, verbs[v], n))
			continue;
		for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++)
			if (!strcasecmp(name + n, suffixes[s]))
				return verbs[v];
	}
	return NULL;
}

static bool name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/* Helpers that build a URL; a call to one is looked through, never taken as the client. */
static const char *const url_helpers[] = {
	"Sprintf", "sprintf", "format", "Format", "URI", "Uri", "URL", "create", "parse",
	"urljoin", "join", "Join", "encodeURI", "str", "String", "resolve", "route", "JoinPath",
	"url_for", "build", "printf", NULL,
};

/* Parentheses after these are syntax or logging, not a call that sends a request. */
static const char *const not_wrappers[] = {
	"if", "for", "while", "switch", "return", "catch", "elif", "and", "or", "not", "in",
	"typeof", "await", "print", "println", "log", "info", "debug", "warn", "error", "puts",
	"echo", "assert", "expect", "Printf", "Println", NULL,
};

/* Clients whose method comes from their arguments, and who have no default. */
static const char *const request_names[] = {
	"request", "Request", "NewRequest", "NewRequestWithContext", "HttpRequestMessage",
	"RestRequest", "exchange", "execute", "send", "sendAsync", "SendAsync", "wp_remote_request",
	NULL,
};

/* Clients that send GET when given no method. */
static const char *const get_default_names[] = {
	"fetch", "axios", "ajax", "$http", "urlopen", "got", "ky", NULL,
};

/* Decides what client the call whose callee is d[call->chain_start, end) is. */
static void classify_call(const struct scan *sc, struct call *call, size_t end)
{
	const char *d = sc->d;
	size_t start = call->chain_start;
	char name[64], prev[64];

	chain_names(sc, start, end, prev, name, sizeof(name));
	call->client = CLIENT_NONE;
	if (!name[0])
		return;

	if (range_has_ci(d, start, end, "requestjira")) {
		call->client = CLIENT_FORGE;
		call->default_get = true;
		return;
	}
	if (!strcmp(name, "request") && !strcmp(prev, "AP")) {
		call->client = CLIENT_CONNECT;
		call->default_get = true;
		return;
	}
	if (range_has_ci(d, start, end, "httpClient(") || range_has_ci(d, start, end, "asUserByAccountId") ||
		(sc->lang == GJS_LANG_JS && range_has_ci(d, start, end, "httpclient"))) {
		call->client = CLIENT_CONNECT;
		call->verb = verb_of_name(name);
		call->default_get = true;
		return;
	}

	call->client = CLIENT_HTTP;
	if ((call->verb = verb_of_name(name)))
		return;
	/* Ruby's Net::HTTP::Post.new(uri). */
	if (!strcmp(name, "new") && (call->verb = verb_named(prev, strlen(prev))))
		return;
	if (name_in(name, get_default_names)) {
		call->default_get = true;
		return;
	}
	if (name_in(name, request_names))
		return;
	if (!strcmp(name, "curl_init") || !strcmp(name, "curl_setopt")) {
		call->php_curl = true;
		return;
	}
	/* Builders: HttpRequest.newBuilder().uri(...), Request.Builder().url(...), webClient.put().uri(...). */
	if (!strcmp(name, "uri") || !strcmp(name, "url") || !strcmp(name, "newBuilder")) {
		if ((call->verb = verb_named(prev, strlen(prev))))
			return;
		if (range_has_ci(d, start, end, "builder")) {
			call->builder = true;
			call->default_get = true;
			return;
		}
	}
	call->client = CLIENT_NONE;
}

/*
 * Finds where the statement that goes on at `i` ends: a `;`, or a line end
 * not followed by a `.method()` continuation, outside brackets.
 */
static size_t statement_end(const struct scan *sc, size_t i, size_t limit)
{
	const char *d = sc->d;
	unsigned depth = 0;

	while (i < limit) {
		char c = d[i];

		if (is_quote((unsigned char)c)) {
			i = skip_string(sc, i, limit);
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0)
				return i;
			depth--;
		} else if (c == ';' && depth == 0) {
			return i + 1;
		} else if (c == '\n' && depth == 0) {
			size_t j = skip_spaces(sc, i, limit);

			if (j >= limit || d[j] != '.')
				return i;
		}
		i++;
	}
	return limit;
}

/* Finds the parenthesis that closes the call opened at `open`, within `limit`. */
static size_t match_call_close(const struct scan *sc, size_t open, size_t limit)
{
	const char *d = sc->d;
	size_t close = skip_group(sc, open, limit);
	size_t j;

	/* Kotlin passes a trailing lambda: client.request(url) { method = HttpMethod.Put }. */
	j = close;
	while (j < limit && (d[j] == ' ' || d[j] == '\t'))
		j++;
	if (j < limit && d[j] == '{' && (sc->lang == GJS_LANG_KOTLIN || sc->lang == GJS_LANG_RUBY))
		close = skip_group(sc, j, limit);
	return close;
}

/*
 * Walks back from `from` through the calls that enclose it, up to
 * MAX_CALL_LEVELS of them. Fills `call` with the innermost recognised
 * client or, failing that, the innermost call that is not a URL helper.
 * `outer` gets where the outermost enclosing expression starts, where an
 * assignment of the value would be.
 */
static void find_paren_call(const struct scan *sc, size_t from, size_t ceil, struct call *call,
	size_t *outer)
{
	const char *d = sc->d;
	size_t floor = back_limit(sc, from, BACK_LINES, BACK_BYTES);
	size_t i = from;
	unsigned depth = 0, levels = 0, inner = 0;

	memset(call, 0, sizeof(*call));
	*outer = from;
	while (i > floor) {
		unsigned char c = (unsigned char)d[--i];

		if (is_quote(c)) {
			i = skip_string_back(sc, i, floor);
			continue;
		}
		if (c == ')' || c == ']' || c == '}') {
			depth++;
			continue;
		}
		if (c == ';' && depth == 0)
			break;
		if (c != '(' && c != '[' && c != '{')
			continue;
		if (depth) {
			depth--;
			continue;
		}
		if (c == '{') {
			/* An object literal passed on (`AP.request({url: ...})`), unless it is a block. */
			size_t k = i;

			while (k > floor && is_space((unsigned char)d[k - 1]))
				k--;
			if (k == floor || !in_set((unsigned char)d[k - 1], "(,[{:="))
				break;
			*outer = i;
			if (d[k - 1] == '=')
				break;
			inner++;
			continue;
		}
		if (c == '[') {
			*outer = i;
			inner++;
			continue;
		}

		struct call cand = { 0 };

		cand.open = i;
		cand.inner = inner;
		cand.chain_start = callee_start(sc, i, floor);
		classify_call(sc, &cand, i);
		*outer = cand.chain_start;
		if (cand.client != CLIENT_NONE) {
			*call = cand;
			call->found = true;
			break;
		}
		if (!call->found && cand.chain_start < i) {
			char name[64], prev[64];

			chain_names(sc, cand.chain_start, i, prev, name, sizeof(name));
			if (name[0] && !name_in(name, url_helpers) && !name_in(name, not_wrappers)) {
				*call = cand;
				call->found = true;
			}
		}
		inner++;
		i = cand.chain_start;
		if (++levels >= MAX_CALL_LEVELS)
			break;
	}
	if (call->found)
		call->close = match_call_close(sc, call->open, ceil);
}

/* Ruby calls without parentheses: RestClient.put "https://...", payload. */
static void find_bare_call(const struct scan *sc, size_t from, size_t ceil, struct call *call)
{
	const char *d = sc->d;
	size_t j = from;
	size_t line_end = from;
	struct call cand = { 0 };

	if (j == 0 || (d[j - 1] != ' ' && d[j - 1] != '\t'))
		return;
	while (j > 0 && (d[j - 1] == ' ' || d[j - 1] == '\t'))
		j--;
	cand.chain_start = callee_start(sc, j, back_limit(sc, j, 0, 256));
	if (cand.chain_start == j)
		return;
	classify_call(sc, &cand, j);
	if (cand.client == CLIENT_NONE)
		return;
	while (line_end < ceil && d[line_end] != '\n')
		line_end++;
	cand.open = j;
	cand.close = line_end;
	cand.found = true;
	*call = cand;
}

/* True when d[i, i+n) is a whole shell word. */
static bool shell_word_at(const struct scan *sc, size_t i, size_t n, size_t limit)
{
	const char *d = sc->d;

	if (i > 0 && !in_set((unsigned char)d[i - 1], " \t\n;|&(`"))
		return false;
	return i + n >= limit || d[i + n] == ' ' || d[i + n] == '\t';
}

/* Finds the curl, wget or HTTPie command whose line (with `\` continuations) contains `pos`. */
static void find_shell_call(const struct scan *sc, size_t pos, struct call *call)
{
	static const char *const commands[] = { "curl", "wget", "http", "https" };
	const char *d = sc->d;
	size_t start = back_limit(sc, pos, 0, BACK_BYTES);
	size_t end = pos;
	size_t limit = fwd_limit(sc, pos, FWD_LINES, FWD_BYTES);
	size_t best = NO_POS;

	for (unsigned n = 0; n < BACK_LINES && start >= 2 && d[start - 1] == '\n' && d[start - 2] == '\\'; n++)
		start = back_limit(sc, start - 1, 0, BACK_BYTES);
	while (end < limit) {
		if (d[end] == '\n' && !(end > 0 && d[end - 1] == '\\'))
			break;
		end++;
	}

	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		size_t n = strlen(commands[c]);

		for (size_t i = start; i + n <= pos; i++)
			if (!memcmp(d + i, commands[c], n) && shell_word_at(sc, i, n, end) &&
				(best == NO_POS || i > best))
				best = i;
	}
	if (best == NO_POS)
		return;
	memset(call, 0, sizeof(*call));
	call->found = true;
	call->shell = true;
	call->client = CLIENT_HTTP;
	call->chain_start = best;
	call->open = best;
	call->close = end;
}

static void find_call_at(const struct scan *sc, size_t from, size_t ceil, struct call *call,
	size_t *outer)
{
	if (sc->lang == GJS_LANG_SHELL) {
		memset(call, 0, sizeof(*call));
		*outer = from;
		find_shell_call(sc, from, call);
		return;
	}
	find_paren_call(sc, from, ceil, call, outer);
	if (call->client == CLIENT_NONE && sc->lang == GJS_LANG_RUBY) {
		struct call bare = { 0 };

		find_bare_call(sc, from, ceil, &bare);
		if (bare.found)
			*call = bare;
	}
}

/*
 * Reads the variable assigned on the line that contains `outer`
 * (`url = BASE + "..."`, `url := fmt.Sprintf(...)`, `val url: String = ...`,
 * `URL="..."`) into `name`. Returns false when there is no assignment.
 */
static bool assigned_variable(const struct scan *sc, size_t outer, char *name, size_t size)
{
	const char *d = sc->d;
	size_t floor = back_limit(sc, outer, 0, 256);
	size_t j = outer;
	size_t e;

	/* Step back over a string prefix or tag (f"", $"", route``), then over `BASE +` pieces. */
	if (is_quote((unsigned char)d[j]))
		while (j > floor && (is_ident((unsigned char)d[j - 1]) || d[j - 1] == '@'))
			j--;
	for (;;) {
		size_t k = j;

		while (k > floor && (d[k - 1] == ' ' || d[k - 1] == '\t'))
			k--;
		if (k > floor && (d[k - 1] == '+' || (d[k - 1] == '.' && sc->lang == GJS_LANG_PHP))) {
			k--;
			while (k > floor && (d[k - 1] == ' ' || d[k - 1] == '\t'))
				k--;
			size_t s = callee_start(sc, k, floor);

			if (s == k)
				break;
			j = s;
			continue;
		}
		j = k;
		break;
	}
	/* `put = new HttpPut(...)`, `res = await fetch(...)`. */
	for (int w = 0; w < 2; w++) {
		static const char *const words[] = { "new", "await" };
		size_t n = strlen(words[w]);

		if (j >= floor + n && !memcmp(d + j - n, words[w], n) &&
			(j - n == floor || !is_ident((unsigned char)d[j - n - 1]))) {
			j -= n;
			while (j > floor && (d[j - 1] == ' ' || d[j - 1] == '\t'))
				j--;
		}
	}
	if (j <= floor || d[j - 1] != '=')
		return false;
	j--;
	if (j > floor && d[j - 1] == ':')
		j--;
	else if (j > floor && in_set((unsigned char)d[j - 1], "=!<>+-*/%&|^"))
		return false;
	while (j > floor && (d[j - 1] == ' ' || d[j - 1] == '\t'))
		j--;

	/* A type annotation: `url: string =`. */
	e = j;
	while (j > floor && (is_ident((unsigned char)d[j - 1]) || d[j - 1] == '<' || d[j - 1] == '>' ||
		d[j - 1] == '?'))
		j--;
	if (j > floor + 1 && d[j - 1] == ' ' && d[j - 2] == ':') {
		j -= 2;
		while (j > floor && (d[j - 1] == ' ' || d[j - 1] == '\t'))
			j--;
		e = j;
	}
	j = e;
	while (j > floor && is_ident((unsigned char)d[j - 1]))
		j--;
	/* Of `req, err := ...` the first name is the value. */
	for (unsigned n = 0; n < 4; n++) {
		size_t k = j;

		while (k > floor && d[k - 1] == ' ')
			k--;
		if (k == floor || d[k - 1] != ',')
			break;
		k--;
		while (k > floor && d[k - 1] == ' ')
			k--;
		if (k == floor || !is_ident((unsigned char)d[k - 1]))
			break;
		e = k;
		while (k > floor && is_ident((unsigned char)d[k - 1]))
			k--;
		j = k;
	}
	/* PHP and shell prefixes are not part of the name that later uses match. */
	while (j < e && d[j] == '$')
		j++;
	if (e == j || e - j >= size || isdigit((unsigned char)d[j]))
		return false;
	memcpy(name, d + j, e - j);
	name[e - j] = '\0';
	return true;
}

/*
 * Looks for a recognised client that takes the variable `name` within the
 * lines after `from` (`url := fmt.Sprintf(...)` then `http.NewRequest("PUT", url, nil)`).
 */
static bool find_variable_use(const struct scan *sc, const char *name, size_t from, size_t limit,
	struct call *call, size_t *use, size_t *use_end)
{
	const char *d = sc->d;
	size_t n = strlen(name);
	unsigned uses = 0;

	for (size_t i = from; i + n <= limit && uses < MAX_VAR_USES; i++) {
		size_t outer;

		if (memcmp(d + i, name, n))
			continue;
		if ((i > 0 && (is_ident((unsigned char)d[i - 1]) && d[i - 1] != '$')) ||
			(i + n < sc->len && is_ident((unsigned char)d[i + n])))
			continue;
		uses++;
		find_call_at(sc, i, fwd_limit(sc, i, FWD_LINES, FWD_BYTES), call, &outer);
		if (call->client != CLIENT_NONE) {
			*use = i;
			*use_end = i + n;
			return true;
		}
		i += n;
	}
	memset(call, 0, sizeof(*call));
	return false;
}

/* ---------------------------------------------------------- the method */

/* `HttpMethod.Put`, `http.MethodPost`, `Method.POST`, `HttpMethod::PUT` in d[a, b). */
static const char *method_enum_in(const char *d, size_t a, size_t b)
{
	for (size_t i = a; i + 6 < b; i++) {
		size_t j = i + 6;
		size_t k;

		if (memcmp(d + i, "Method", 6))
			continue;
		if (j < b && d[j] == '.')
			j++;
		else if (j + 1 < b && d[j] == ':' && d[j + 1] == ':')
			j += 2;
		k = j;
		while (k < b && isalpha((unsigned char)d[k]))
			k++;
		if (k < b && is_ident((unsigned char)d[k]))
			continue;
		if (verb_named(d + j, k - j))
			return verb_named(d + j, k - j);
	}
	return NULL;
}

/* A verb written as a whole string literal: 'PUT', "post". */
static const char *verb_literal_at(const char *d, size_t i, size_t b)
{
	char q = d[i];

	for (size_t j = i + 1; j < b && j < i + 10; j++)
		if (d[j] == q)
			return verb_named(d + i + 1, j - i - 1);
	return NULL;
}

/*
 * Reads an option key `key` in d[a, b): `method: 'POST'`, `"method": "POST"`,
 * `method="PUT"`, `'method' => 'PUT'`, `method: :put`. Returns the verb;
 * sets `*opaque` when the value is not a literal (`method: m`, shorthand
 * `{ method }`).
 */
static const char *option_key_in(const char *d, size_t a, size_t b, const char *key, bool *opaque)
{
	size_t n = strlen(key);

	for (size_t i = a; i + n < b; i++) {
		size_t j;

		if (memcmp(d + i, key, n))
			continue;
		if (i > a && (is_ident((unsigned char)d[i - 1]) || d[i - 1] == '-' || d[i - 1] == '.'))
			continue;
		j = i + n;
		if (j < b && is_ident((unsigned char)d[j]))
			continue;
		if (j < b && (d[j] == '\'' || d[j] == '"'))
			j++;
		while (j < b && (d[j] == ' ' || d[j] == '\t'))
			j++;
		if (j >= b)
			break;
		if ((d[j] == ',' || d[j] == '}') && !strcmp(key, "method")) {
			*opaque = true;
			return NULL;
		}
		if (j + 1 < b && d[j] == '=' && d[j + 1] == '>')
			j += 2;
		else if (d[j] == '=' && !(j + 1 < b && d[j + 1] == '='))
			j++;
		else if (d[j] == ':' && !(j + 1 < b && d[j + 1] == ':'))
			j++;
		else
			continue;
		while (j < b && is_space((unsigned char)d[j]))
			j++;
		if (j >= b)
			break;
		if (d[j] == '\'' || d[j] == '"' || d[j] == '`') {
			const char *verb = verb_literal_at(d, j, b);

			if (verb)
				return verb;
			continue;
		}
		if (d[j] == ':') {
			size_t k = j + 1;

			while (k < b && isalpha((unsigned char)d[k]))
				k++;
			if (verb_named(d + j + 1, k - j - 1))
				return verb_named(d + j + 1, k - j - 1);
			continue;
		}
		if (is_ident((unsigned char)d[j]) && !strcmp(key, "method")) {
			*opaque = true;
			return NULL;
		}
	}
	return NULL;
}

/* Returns the method written in d[a, b). Sets `*opaque` for a method kept in a variable. */
static const char *method_in_range(const char *d, size_t a, size_t b, bool *opaque)
{
	const char *verb;

	if (a >= b)
		return NULL;
	if ((verb = method_enum_in(d, a, b)))
		return verb;
	if ((verb = option_key_in(d, a, b, "method", opaque)) || *opaque)
		return verb;
	if ((verb = option_key_in(d, a, b, "type", opaque)))
		return verb;
	for (size_t i = a; i < b; i++)
		if ((d[i] == '\'' || d[i] == '"') && (verb = verb_literal_at(d, i, b)))
			return verb;
	return NULL;
}

/* Reads the shell word at `i` (quotes stripped) into [*ws, *we); returns its end. */
static size_t shell_word(const char *d, size_t i, size_t b, size_t *ws, size_t *we)
{
	while (i < b && (is_space((unsigned char)d[i]) || d[i] == '\\'))
		i++;
	*ws = i;
	while (i < b && !is_space((unsigned char)d[i]))
		i++;
	*we = i;
	while (*we > *ws && (d[*we - 1] == '\'' || d[*we - 1] == '"'))
		(*we)--;
	while (*ws < *we && (d[*ws] == '\'' || d[*ws] == '"'))
		(*ws)++;
	return i;
}

static bool word_is(const char *d, size_t ws, size_t we, const char *s)
{
	return we - ws == strlen(s) && !memcmp(d + ws, s, we - ws);
}

static bool word_starts(const char *d, size_t ws, size_t we, const char *s)
{
	return we - ws > strlen(s) && !memcmp(d + ws, s, strlen(s));
}

/* The method of a curl, wget or HTTPie command in d[a, b). */
static const char *shell_method(const char *d, size_t a, size_t b)
{
	const char *explicit = NULL;
	bool data = false, upload = false, head = false, get = false;
	size_t i = a;

	while (i < b) {
		size_t ws, we, ns, ne;

		i = shell_word(d, i, b, &ws, &we);
		if (ws >= we)
			continue;
		if (word_is(d, ws, we, "-X") || word_is(d, ws, we, "--request") ||
			word_is(d, ws, we, "--method")) {
			shell_word(d, i, b, &ns, &ne);
			explicit = verb_named(d + ns, ne - ns);
		} else if (word_is(d, ws, we, "http") || word_is(d, ws, we, "https")) {
			shell_word(d, i, b, &ns, &ne);
			if (verb_named(d + ns, ne - ns))
				explicit = verb_named(d + ns, ne - ns);
		} else if (word_starts(d, ws, we, "--request=") || word_starts(d, ws, we, "--method=")) {
			size_t eq = ws;

			while (d[eq] != '=')
				eq++;
			explicit = verb_named(d + eq + 1, we - eq - 1);
		} else if (word_starts(d, ws, we, "-X")) {
			size_t vs = ws + 2;

			while (vs < we && (d[vs] == '\'' || d[vs] == '"'))
				vs++;
			explicit = verb_named(d + vs, we - vs);
		} else if (word_is(d, ws, we, "-d") || word_starts(d, ws, we, "--data") ||
			word_starts(d, ws, we, "-d") || word_is(d, ws, we, "-F") ||
			word_is(d, ws, we, "--form") || word_is(d, ws, we, "--json") ||
			word_starts(d, ws, we, "--post-")) {
			data = true;
		} else if (word_is(d, ws, we, "-T") || word_is(d, ws, we, "--upload-file")) {
			upload = true;
		} else if (word_is(d, ws, we, "-I") || word_is(d, ws, we, "--head")) {
			head = true;
		} else if (word_is(d, ws, we, "-G") || word_is(d, ws, we, "--get")) {
			get = true;
		}
	}
	if (explicit)
		return explicit;
	if (head)
		return "HEAD";
	if (get)
		return "GET";
	if (upload)
		return "PUT";
	return data ? "POST" : "GET";
}

/* PHP's curl: CURLOPT_CUSTOMREQUEST, 'PUT' or CURLOPT_POST in the lines that follow. */
static const char *php_curl_method(const char *d, size_t a, size_t b)
{
	size_t i = find_ci(d, a, b, "CURLOPT_CUSTOMREQUEST");

	if (i != NO_POS) {
		for (size_t j = i; j < b && d[j] != '\n'; j++)
			if ((d[j] == '\'' || d[j] == '"') && verb_literal_at(d, j, b))
				return verb_literal_at(d, j, b);
		return NULL;
	}
	if (find_word_ci(d, a, b, "CURLOPT_POST") != NO_POS || find_word_ci(d, a, b, "CURLOPT_POSTFIELDS") != NO_POS)
		return "POST";
	if (find_word_ci(d, a, b, "CURLOPT_PUT") != NO_POS)
		return "PUT";
	return "GET";
}

/* A request builder's method after the call: `.PUT(body)`, `.post(body)`, `.method("PATCH", b)`, `.DELETE()`. */
static const char *builder_method(const char *d, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		size_t k;

		if (d[i] == ';')
			break;
		if (d[i] != '.')
			continue;
		k = i + 1;
		while (k < b && isalpha((unsigned char)d[k]))
			k++;
		if (k >= b || d[k] != '(')
			continue;
		if (verb_named(d + i + 1, k - i - 1))
			return verb_named(d + i + 1, k - i - 1);
		if (k - i - 1 == 6 && !memcmp(d + i + 1, "method", 6)) {
			bool opaque = false;

			return method_in_range(d, k, min_size(b, k + 64), &opaque);
		}
	}
	return NULL;
}

/*
 * True when the call passes an argument after the path that the scanner
 * cannot read (`fetch(url, options)`), so no default method applies.
 */
static bool has_opaque_argument(const struct scan *sc, const struct call *call, size_t from)
{
	const char *d = sc->d;
	size_t end = call->close;
	unsigned depth = call->inner;

	for (size_t i = from; i < end;) {
		char c = d[i];

		if (is_quote((unsigned char)c)) {
			i = skip_string(sc, i, end);
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0)
				return false;
			depth--;
		} else if (c == ',' && depth == 0) {
			size_t j = skip_spaces(sc, i + 1, end);

			if (j < end && d[j] != '{' && d[j] != ')')
				return true;
		}
		i++;
	}
	return false;
}

/* The method of the call `call` that sends the path written in d[lit_open, expr_end). */
static const char *call_method(const struct scan *sc, const struct call *call, size_t lit_open,
	size_t expr_end)
{
	const char *d = sc->d;
	const char *verb;
	bool opaque = false;
	size_t before_end = min_size(lit_open, call->close);
	size_t after_start = max_size(expr_end, call->open);

	if (!call->found)
		return NULL;
	if (call->shell)
		return shell_method(d, call->open, call->close);
	if (call->verb)
		return call->verb;
	if (call->php_curl)
		return php_curl_method(d, call->open, fwd_limit(sc, call->close, FWD_LINES, FWD_BYTES));

	if ((verb = method_in_range(d, call->open, before_end, &opaque)) || opaque)
		return verb;
	if ((verb = method_in_range(d, after_start, call->close, &opaque)) || opaque)
		return verb;
	/* Spring's webClient.method(HttpMethod.PUT).uri(...) names it in the chain. */
	if ((verb = method_enum_in(d, call->chain_start, call->open)))
		return verb;
	if (call->builder &&
		(verb = builder_method(d, call->close, fwd_limit(sc, call->close, FWD_LINES, FWD_BYTES))))
		return verb;
	if (call->client != CLIENT_NONE && call->default_get && !has_opaque_argument(sc, call, expr_end))
		return "GET";
	return NULL;
}

/* ------------------------------------------------------------ the client */

/* Credentials of the app's own: Basic auth, an API token, a bearer token. */
static bool has_own_credentials(const struct scan *sc, size_t a, size_t b)
{
	static const char *const words[] = { "basic", "bearer", NULL };
	static const char *const parts[] = {
		"basicauth", "basic_auth", "btoa(", "base64", "api_token", "apitoken", "withtoken", NULL,
	};
	const char *d = sc->d;

	for (size_t i = 0; words[i]; i++)
		if (find_word_ci(d, a, b, words[i]) != NO_POS)
			return true;
	for (size_t i = 0; parts[i]; i++)
		if (range_has_ci(d, a, b, parts[i]))
			return true;

	/* requests' auth=(user, token), axios' auth: {...}, Guzzle's 'auth' => [...]. */
	for (size_t i = a; (i = find_word_ci(d, i, b, "auth")) != NO_POS; i++) {
		size_t j = i + 4;

		if (j < b && (d[j] == '\'' || d[j] == '"'))
			j++;
		while (j < b && (d[j] == ' ' || d[j] == '\t'))
			j++;
		if (j < b && (d[j] == '=' || d[j] == ':') && !(j + 1 < b && d[j + 1] == '='))
			return true;
	}

	if (sc->lang == GJS_LANG_SHELL) {
		size_t i = a;

		while (i < b) {
			size_t ws, we;

			i = shell_word(d, i, b, &ws, &we);
			if (word_is(d, ws, we, "-u") || word_is(d, ws, we, "--user") ||
				word_starts(d, ws, we, "--user=") || word_is(d, ws, we, "--basic") ||
				word_is(d, ws, we, "-a") || word_is(d, ws, we, "--auth"))
				return true;
		}
	}
	return false;
}

/* True when d[a, b) uses a member of `var`: `req.SetBasicAuth`, `$req->`. */
static bool uses_member(const char *d, size_t a, size_t b, const char *var)
{
	size_t n = strlen(var);

	for (size_t i = a; i + n + 1 < b; i++)
		if (!memcmp(d + i, var, n) && (i == 0 || !is_ident((unsigned char)d[i - 1]) || d[i - 1] == '$') &&
			(d[i + n] == '.' || (d[i + n] == '-' && d[i + n + 1] == '>')))
			return true;
	return false;
}

/*
 * Widens the call's lines d[start, end) by up to BACK_LINES lines before
 * it, for credentials set up first (`auth = HTTPBasicAuth(...)`), and by
 * the lines after it that work on the request it made (`req.SetBasicAuth(...)`
 * after `req, _ := http.NewRequest(...)`). It stops short of a line that
 * holds another path, which belongs to another call, and of the previous
 * call's window.
 */
static void call_window(const struct scan *sc, const struct call *call, size_t start, size_t end,
	size_t *a, size_t *b)
{
	const char *d = sc->d;
	char var[64];
	bool assigned = !call->shell && assigned_variable(sc, call->chain_start, var, sizeof(var));

	/* Minified code puts everything on one line: take only the call's neighbourhood. */
	*a = back_limit(sc, start, 0, SAME_LINE_BYTES);
	for (unsigned n = 0; n < BACK_LINES && *a > 0 && sc->d[*a - 1] == '\n'; n++) {
		size_t prev = back_limit(sc, *a - 1, 0, BACK_BYTES);

		if (memmem(d + prev, *a - prev, "/rest/", 6))
			break;
		*a = prev;
	}
	if (sc->prev_end > *a && sc->prev_end <= start)
		*a = sc->prev_end;
	*b = fwd_limit(sc, end, 0, SAME_LINE_BYTES);
	for (unsigned n = 0; assigned && n < BACK_LINES && *b < sc->len && sc->d[*b] == '\n'; n++) {
		size_t next = fwd_limit(sc, *b + 1, 0, FWD_BYTES);

		if (memmem(d + *b, next - *b, "/rest/", 6) || !uses_member(d, *b, next, var))
			break;
		*b = next;
	}
}

/* Tells how the call reaches Jira; `*window_end` gets the end of the lines it looked at. */
static gjs_call_via call_via(const struct scan *sc, const struct call *call, size_t p,
	size_t expr_end, size_t *window_end)
{
	const char *d = sc->d;
	size_t a, b;

	*window_end = 0;
	if (!call->found)
		return GJS_VIA_UNKNOWN;
	if (call->client == CLIENT_FORGE)
		return GJS_VIA_PRODUCT_FETCH;
	if (call->client == CLIENT_CONNECT)
		return GJS_VIA_CONNECT;

	/* A builder's chain (`.uri(...)\n.header(...)`) belongs to the call. */
	b = max_size(expr_end, call->close);
	if (!call->shell)
		b = statement_end(sc, b, fwd_limit(sc, b, FWD_LINES, FWD_BYTES));
	/*
	 * NOTE: credentials are matched by words near the call, not traced to
	 * it, so a token set up for a neighbouring call can count.
	 */
	call_window(sc, call, min_size(p, call->chain_start), b, &a, &b);
	*window_end = b;
	if (find_word_ci(d, a, b, "jwt") != NO_POS)
		return GJS_VIA_CONNECT;
	if (has_own_credentials(sc, a, b))
		return GJS_VIA_OWN_CREDENTIALS;
	return call->client == CLIENT_HTTP ? GJS_VIA_HTTP : GJS_VIA_UNKNOWN;
}

/* ------------------------------------------------------------------ hits */

/* True when d[p...] continues a Jira REST prefix after "/rest/". */
static bool is_jira_path(const char *d, size_t p, size_t len)
{
	static const char *const prefixes[] = { "api/2/", "api/3/", "agile/1.0/", "servicedeskapi/" };
	size_t rest = p + 6;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (rest + n <= len && !memcmp(d + rest, prefixes[i], n))
			return true;
	}
	return false;
}

static void push_hit(gjs_scan_result *out, unsigned line, const char *method, gjs_buf *path,
	gjs_call_via via)
{
	gjs_scan_hit *hit;

	GJS_GROW(out->hits, out->alloc, out->count + 1);
	hit = &out->hits[out->count++];
	hit->line = line;
	hit->method = method ? gjs_xstrdup(method) : NULL;
	hit->path = gjs_buf_detach(path);
	hit->via = via;
}

/*
 * Finds the client of a path that is assigned to a variable and sent a few
 * lines later (`url = f"..."` then `requests.put(url)`). A method written in
 * an assigned object literal (`opts = {url: ..., type: 'PUT'}`) wins over
 * the later call's.
 */
static bool client_through_variable(const struct scan *sc, size_t outer, size_t expr_end,
	size_t ceil, const char **method, gjs_call_via *via, size_t *window_end)
{
	struct call used;
	size_t use, use_end;
	char var[64];
	bool opaque = false;
	const char *assigned = NULL;

	if (!assigned_variable(sc, outer, var, sizeof(var)))
		return false;
	if (!find_variable_use(sc, var, expr_end, ceil, &used, &use, &use_end))
		return false;
	if (sc->d[outer] == '{')
		assigned = method_in_range(sc->d, outer, skip_group(sc, outer, ceil), &opaque);
	*method = assigned ? assigned : call_method(sc, &used, use, use_end);
	*via = call_via(sc, &used, use, use_end, window_end);
	return true;
}

/* Records the path at `p` and returns where the search for the next one resumes. */
static size_t scan_hit(struct scan *sc, gjs_scan_result *out, size_t p)
{
	gjs_buf path = GJS_BUF_INIT;
	struct literal lit;
	struct call call;
	size_t outer, path_end, ceil;
	unsigned line;
	const char *method = NULL;
	gjs_call_via via = GJS_VIA_UNKNOWN;
	size_t window_end = 0;

	lex_to(sc, p);
	if (sc->mode == LEX_LINE_COMMENT || sc->mode == LEX_BLOCK_COMMENT)
		return p + 6;
	line = sc->line + 1;

	locate_literal(sc, p, &lit);
	path_end = read_path_text(sc, p, lit.quote, &path, &lit.closed);
	lit.end = lit.closed ? path_end + 1 : path_end;
	if (lit.closed && sc->mode == LEX_STRING && sc->triple)
		lit.end = min_size(sc->len, path_end + 3);
	lit.expr_end = lit.closed ? read_concat(sc, lit.end, &path) : path_end;

	ceil = fwd_limit(sc, p, FWD_LINES, FWD_BYTES);
	find_call_at(sc, lit.open, ceil, &call, &outer);
	if (call.client != CLIENT_NONE ||
		!client_through_variable(sc, outer, lit.expr_end, ceil, &method, &via, &window_end)) {
		method = call_method(sc, &call, lit.open, lit.expr_end);
		via = call_via(sc, &call, p, lit.expr_end, &window_end);
	}

	push_hit(out, line, method, &path, via);
	sc->prev_end = max_size(window_end,
		statement_end(sc, max_size(lit.expr_end, call.found ? call.close : 0), ceil));
	return max_size(lit.expr_end, p + 6);
}

int gjs_scan_source(gjs_scan_result *out, gjs_language language, const char *data, size_t len)
{
	struct scan sc;
	size_t pos = 0;

	if (!out || (!data && len)) {
		gjs_error_set("scanner: no output list or no source text");
		return GJS_EINVALID;
	}
	if (language == GJS_LANG_NONE || !len)
		return 0;

	memset(&sc, 0, sizeof(sc));
	sc.d = data;
	sc.len = len;
	sc.lang = language;
	while (pos < len) {
		const char *m = memmem(data + pos, len - pos, "/rest/", 6);
		size_t p;

		if (!m)
			break;
		p = (size_t)(m - data);
		if (!is_jira_path(data, p, len)) {
			pos = p + 5;
			continue;
		}
		pos = scan_hit(&sc, out, p);
	}
	return 0;
}

gjs_language gjs_scan_language(const char *path)
{
	static const struct {
		const char *ext;
		gjs_language lang;
	} table[] = {
		{ "js", GJS_LANG_JS }, { "jsx", GJS_LANG_JS }, { "mjs", GJS_LANG_JS },
		{ "cjs", GJS_LANG_JS }, { "ts", GJS_LANG_JS }, { "tsx", GJS_LANG_JS },
		{ "mts", GJS_LANG_JS }, { "cts", GJS_LANG_JS }, { "py", GJS_LANG_PYTHON },
		{ "java", GJS_LANG_JAVA }, { "kt", GJS_LANG_KOTLIN }, { "kts", GJS_LANG_KOTLIN },
		{ "go", GJS_LANG_GO }, { "cs", GJS_LANG_CSHARP }, { "rb", GJS_LANG_RUBY },
		{ "php", GJS_LANG_PHP }, { "sh", GJS_LANG_SHELL }, { "bash", GJS_LANG_SHELL },
		{ "zsh", GJS_LANG_SHELL },
	};
	const char *base, *dot;

	if (!path)
		return GJS_LANG_NONE;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return GJS_LANG_NONE;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcasecmp(dot + 1, table[i].ext))
			return table[i].lang;
	return GJS_LANG_NONE;
}

void gjs_scan_result_free(gjs_scan_result *result)
{
	if (!result)
		return;
	for (size_t i = 0; i < result->count; i++) {
		free(result->hits[i].method);
		free(result->hits[i].path);
	}
	free(result->hits);
	memset(result, 0, sizeof(*result));
}
