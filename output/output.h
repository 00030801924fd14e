/*
 * output.h - report writers: one per format, behind one interface.
 *
 * Every writer renders a plumb.scan/1 document (as the engine builds it and
 * the store keeps it), so a stored scan re-renders exactly as it printed.
 * Documents are produced with libraries (jansson, libxml2's writer), never by
 * string concatenation.
 */
#ifndef PLUMB_OUTPUT_H
#define PLUMB_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

#include "util.h"

struct store;

struct output_opts {
	int color;		/* ANSI colour (text only) */
	int verbose;		/* text: show evidence of passing controls too */
	struct store *store;	/* history for formats that chart trends; may be NULL */
};

struct output_writer {
	const char *name;	/* the --format value */
	const char *summary;
	int (*write)(const json_t *doc, FILE *f, const struct output_opts *o,
		     struct errbuf *e);
};

/* The writer for a format name, or NULL. */
const struct output_writer *output_find(const char *name);
/* "text, json, ..." for messages (static). */
const char *output_names(void);

int out_json_write(const json_t *doc, FILE *f, const struct output_opts *o,
		   struct errbuf *e);
int out_text_write(const json_t *doc, FILE *f, const struct output_opts *o,
		   struct errbuf *e);
int out_html_write(const json_t *doc, FILE *f, const struct output_opts *o,
		   struct errbuf *e);
int out_xccdf_write(const json_t *doc, FILE *f, const struct output_opts *o,
		    struct errbuf *e);
int out_arf_write(const json_t *doc, FILE *f, const struct output_opts *o,
		  struct errbuf *e);
int out_oscal_write(const json_t *doc, FILE *f, const struct output_opts *o,
		    struct errbuf *e);
int out_csv_write(const json_t *doc, FILE *f, const struct output_opts *o,
		  struct errbuf *e);
int out_junit_write(const json_t *doc, FILE *f, const struct output_opts *o,
		    struct errbuf *e);
int out_sarif_write(const json_t *doc, FILE *f, const struct output_opts *o,
		    struct errbuf *e);

#endif
