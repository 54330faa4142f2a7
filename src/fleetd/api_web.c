/* api_web.c -- serves the dashboard: GET / is index.html, GET /web/NAME is
 * any other file of web/.  The files are compiled in by embedgen (web_files,
 * see am/web.am); with --web-root DIR they are read from DIR at each request
 * instead, so a front-end author can edit and reload without rebuilding.
 *
 * Owns nothing but these two routes.  The page talks to fleetd only through
 * the public REST API and /v1/events, exactly like a third-party front end;
 * nothing here knows about jobs, the mirror or authentication (the files are
 * public: the page itself asks for the token). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "config.h"
#include "embed.h"
#include "http.h"
#include "log.h"

extern const struct embed_file web_files[];

/* Files larger than this are not served from --web-root (the dashboard's
 * own are a few tens of KiB; anything bigger is a mistake). */
#define WEB_FILE_MAX (8u << 20)

struct web_type {
	const char *ext;
	const char *type;
};

static const struct web_type web_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
};

/* NULL for an extension we do not serve: an unknown type is a 404 rather
 * than a guess the browser might sniff into something executable. */
static const char *web_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof web_types / sizeof web_types[0]; i++)
		if (strcmp(dot, web_types[i].ext) == 0)
			return web_types[i].type;
	return NULL;
}

/* A file name is one plain segment: letters, digits, '-', '_', '.', not
 * starting with a dot (no "..", no hidden files, no way out of the root). */
static int web_name_ok(const char *name)
{
	if (!name[0] || name[0] == '.' || strlen(name) > 128)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			return 0;
	return 1;
}

static const struct embed_file *web_embedded(const char *name)
{
	for (const struct embed_file *f = web_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Reads DIR/name whole; NULL (errno set) when absent, not a regular file
 * or too large.  The caller frees. */
static char *web_read(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fileno(f), &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > WEB_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
out:
	fclose(f);
	return buf;
}

static void web_serve(struct http_req *req, const struct app *app,
		      const char *name)
{
	const char *type = web_content_type(name);
	if (!web_name_ok(name) || !type) {
		http_reply_error(req, 404, "not_found", "no such file: %s", name);
		return;
	}
	/* The page and its modules change with each build (or each edit under
	 * --web-root): always revalidate rather than run a stale mix. */
	http_add_header(req, "Cache-Control", "no-cache");
	http_add_header(req, "X-Content-Type-Options", "nosniff");
	if (strcmp(name, "index.html") == 0) {
		/* Scripts and styles only from here; the API may live on
		 * another origin (the page's API base setting). */
		http_add_header(req, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; "
				"connect-src *; frame-ancestors 'none'; "
				"base-uri 'none'; form-action 'none'");
		http_add_header(req, "Referrer-Policy", "no-referrer");
	}
	const char *root = app->cfg->web_root;
	if (!root) {
		const struct embed_file *f = web_embedded(name);
		if (!f) {
			http_reply_error(req, 404, "not_found", "no such file: %s", name);
			return;
		}
		http_reply(req, 200, type, f->data, f->len);
		return;
	}
	size_t len = 0;
	char *body = web_read(root, name, &len);
	if (!body) {
		if (errno != ENOENT)
			log_warn("web file unreadable", "file=%s error=\"%s\"", name,
				 strerror(errno));
		http_reply_error(req, 404, "not_found", "no such file: %s", name);
		return;
	}
	http_reply(req, 200, type, body, len);
	free(body);
}

static void web_redirect(struct http_req *req)
{
	http_add_header(req, "Location", "/web/");
	http_add_header(req, "Cache-Control", "no-cache");
	static const char body[] = "the dashboard is at /web/\n";
	http_reply(req, 302, "text/plain; charset=utf-8", body, sizeof body - 1);
}

static void on_root(struct http_req *req, void *arg)
{
	web_redirect(req);
}

/* The router ignores one trailing slash, but the browser resolves the
 * page's relative links against it: only "/web/" may serve the page. */
static void on_web(struct http_req *req, void *arg)
{
	const char *path = http_path(req);
	size_t n = strlen(path);
	if (n == 0 || path[n - 1] != '/') {
		web_redirect(req);
		return;
	}
	web_serve(req, arg, "index.html");
}

static void on_file(struct http_req *req, void *arg)
{
	web_serve(req, arg, http_param(req, 0));
}

int api_web_register(struct app *app, char *err, size_t errlen)
{
	const char *root = app->cfg->web_root;
	if (root) {
		struct stat st;
		if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--web-root: %s is not a directory", root);
			return -1;
		}
	}
	/* HEAD too: MHD sends the headers of the GET answer without its body. */
	static const char *const methods[] = {"GET", "HEAD"};
	for (int i = 0; i < 2; i++)
		if (http_route(app->http, methods[i], "/", on_root, app) < 0 ||
		    http_route(app->http, methods[i], "/web", on_web, app) < 0 ||
		    http_route(app->http, methods[i], "/web/{}", on_file, app) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	return 0;
}
