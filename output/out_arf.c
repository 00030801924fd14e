/*
 * out_arf.c - an SCAP Asset Reporting Format 1.1 result data stream, as
 * `oscap ds rds-validate` checks it:
 *   assets          asset0, the host: ai:computing-device with its machine
 *                   id (synthetic-id), hostname when it fits ai's pattern,
 *                   and everything plumb knows of it as extended
 *                   information;
 *   report-requests what the report was made for: the XCCDF Benchmark
 *                   generated from the controls, and the plumb baseline
 *                   itself, byte for byte as the scan read it, from the
 *                   history's blobs (OpenSCAP leaves the tailoring out; an
 *                   auditor needs it);
 *   reports         the XCCDF TestResult;
 *   extended-infos  the owners/tailoring file the scan applied, if any;
 *   relationships   the report is createdFor the requests and isAbout the
 *                   asset.
 * An input whose bytes are not in the history (no history given, or a scan
 * recorded before plumb kept inputs) is named by its sha256 as a remote
 * resource instead, so the report still says exactly what was used.
 *
 * Stored inputs are plumb's own XML, already accepted by the loader; they
 * are parsed again here without network, DTD or entity substitution and
 * re-emitted node by node through xmlTextWriter, so even an altered blob
 * cannot break the report.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "out_xccdf.h"
#include "output.h"
#include "report.h"
#include "store_blob.h"

#define ARF_NS "http://scap.nist.gov/schema/asset-reporting-format/1.1"
#define CORE_NS "http://scap.nist.gov/schema/reporting-core/1.1"
#define AI_NS "http://scap.nist.gov/schema/asset-identification/1.1"
#define ARFVOCAB_NS \
	"http://scap.nist.gov/specifications/arf/vocabulary/relationships/1.0#"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define PLUMB_ARF_NS REPORT_URN ":arf:1"

/* "p:name" or "name". */
static char *
qname(const xmlNs *ns, const xmlChar *name)
{
	if (ns != NULL && ns->prefix != NULL)
		return xasprintf("%s:%s", (const char *)ns->prefix,
				 (const char *)name);
	return xstrdup((const char *)name);
}

/* Re-emits an element and its subtree; comments and processing
 * instructions are dropped, CDATA becomes text. */
static void
copy_node(struct xw *x, const xmlNode *n)
{
	const xmlNs *ns;
	const xmlAttr *a;
	const xmlNode *c;
	char *name = qname(n->ns, n->name);

	xw_start(x, name);
	free(name);
	for (ns = n->nsDef; ns != NULL; ns = ns->next) {
		char *decl = ns->prefix ? xasprintf("xmlns:%s", ns->prefix) :
			     xstrdup("xmlns");

		xw_attr(x, decl, (const char *)ns->href);
		free(decl);
	}
	for (a = n->properties; a != NULL; a = a->next) {
		xmlChar *v = xmlNodeGetContent((const xmlNode *)a);

		name = qname(a->ns, a->name);
		xw_attr(x, name, (const char *)v);
		free(name);
		xmlFree(v);
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			copy_node(x, c);
		else if ((c->type == XML_TEXT_NODE ||
			  c->type == XML_CDATA_SECTION_NODE) && c->content)
			xw_text(x, (const char *)c->content);
	}
	xw_end(x);
}

/*
 * Writes the input with that sha256 from the history as content, or a
 * reference naming it.  wrapper is the element holding the content
 * (arf:content: the reference is an arf:remote-resource) or NULL when the
 * caller's element (arf:extended-info, which takes only foreign elements)
 * holds it directly (the reference is a plumb:input).
 */
static void
write_input(struct xw *x, struct store *st, const char *sha256,
	    const char *wrapper)
{
	struct errbuf e = { "" };
	char *data = NULL;
	size_t len = 0;
	xmlDoc *d = NULL;

	if (st != NULL && store_get_blob(st, sha256, &data, &len, NULL, NULL,
					 &e) == 0 &&
	    memmem(data, len, "<!DOCTYPE", 9) == NULL && len <= PLUMB_BLOB_MAX)
		d = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
				  XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(data);
	if (d != NULL && xmlDocGetRootElement(d) != NULL) {
		if (wrapper != NULL)
			xw_start(x, wrapper);
		copy_node(x, xmlDocGetRootElement(d));
		if (wrapper != NULL)
			xw_end(x);
	} else if (wrapper != NULL) {
		xw_start(x, "arf:remote-resource");
		xw_attr(x, "xlink:type", "simple");
		xw_attrf(x, "xlink:href", "urn:sha256:%s", sha256);
		xw_end(x);
	} else {
		xw_start(x, "plumb:input");
		xw_attr(x, "xmlns:plumb", PLUMB_ARF_NS);
		xw_attr(x, "sha256", sha256);
		xw_attr(x, "note", "the history holds no copy of this input");
		xw_end(x);
	}
	xmlFreeDoc(d);
}

/* ai's hostname-type: [\w\-]+(\.[\w\-]+)*, checked in ASCII. */
static int
hostname_ok(const char *h)
{
	int label = 0;

	if (*h == '\0' || strlen(h) > 253)
		return 0;
	for (; *h != '\0'; h++) {
		if ((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || *h == '-' || *h == '_') {
			label++;
		} else if (*h == '.' && label > 0) {
			label = 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

static void
relationship(struct xw *x, const char *type, const char *subject,
	     const char *ref)
{
	xw_start(x, "core:relationship");
	xw_attr(x, "type", type);
	xw_attr(x, "subject", subject);
	xw_elem(x, "core:ref", ref);
	xw_end(x);
}

static void
write_asset(struct xw *x, const json_t *host)
{
	const char *hostname = report_str(host, "hostname");
	const char *machine = report_str(host, "machine_id");

	xw_start(x, "arf:assets");
	xw_start(x, "arf:asset");
	xw_attr(x, "id", "asset0");
	xw_start(x, "ai:computing-device");
	if (machine[0] != '\0') {
		xw_start(x, "ai:synthetic-id");
		xw_attr(x, "resource", REPORT_URN ":machine-id");
		xw_attr(x, "id", machine);
		xw_end(x);
	}
	xw_start(x, "ai:extended-information");
	xw_start(x, "plumb:host");
	xw_attr(x, "xmlns:plumb", PLUMB_ARF_NS);
	xw_attr(x, "hostname", hostname);
	xw_attr(x, "machine-id", machine);
	xw_attr(x, "os", report_str(json_object_get(host, "os"), "pretty"));
	xw_attr(x, "kernel", report_str(host, "kernel"));
	xw_attr(x, "arch", report_str(host, "arch"));
	xw_end(x);
	xw_end(x);
	if (hostname_ok(hostname))
		xw_elem(x, "ai:hostname", hostname);
	xw_end(x);
	xw_end(x);
	xw_end(x);
}

int
out_arf_write(const json_t *doc, FILE *f, const struct output_opts *o,
	      struct errbuf *e)
{
	const json_t *scan = json_object_get(doc, "scan");
	const char *bl_sha = report_str(json_object_get(scan, "baseline"),
					"sha256");
	const char *own_sha = report_str(json_object_get(scan, "owners"),
					 "sha256");
	const char *tl_sha = report_str(json_object_get(scan, "tailoring"),
					"sha256");
	struct store *st = o ? o->store : NULL;
	struct xw x;
	int rc;

	if ((rc = xw_open(&x, f, 1, 0, e)) != 0)
		return rc;
	xw_decl(&x);
	xw_start(&x, "arf:asset-report-collection");
	xw_attr(&x, "xmlns:arf", ARF_NS);
	xw_attr(&x, "xmlns:core", CORE_NS);
	xw_attr(&x, "xmlns:ai", AI_NS);
	xw_attr(&x, "xmlns:xlink", XLINK_NS);
	xw_start(&x, "core:relationships");
	xw_attr(&x, "xmlns:arfvocab", ARFVOCAB_NS);
	relationship(&x, "arfvocab:createdFor", "xccdf1", "collection1");
	relationship(&x, "arfvocab:createdFor", "xccdf1", "plumb-baseline");
	relationship(&x, "arfvocab:isAbout", "xccdf1", "asset0");
	xw_end(&x);

	xw_start(&x, "arf:report-requests");
	xw_start(&x, "arf:report-request");
	xw_attr(&x, "id", "collection1");
	xw_start(&x, "arf:content");
	out_xccdf_benchmark(&x, doc, 0);
	xw_end(&x);
	xw_end(&x);
	xw_start(&x, "arf:report-request");
	xw_attr(&x, "id", "plumb-baseline");
	write_input(&x, st, bl_sha, "arf:content");
	xw_end(&x);
	xw_end(&x);

	write_asset(&x, json_object_get(scan, "host"));

	xw_start(&x, "arf:reports");
	xw_start(&x, "arf:report");
	xw_attr(&x, "id", "xccdf1");
	xw_start(&x, "arf:content");
	out_xccdf_testresult(&x, doc, "#collection1", "asset0");
	xw_end(&x);
	xw_end(&x);
	xw_end(&x);

	if (own_sha[0] != '\0' || tl_sha[0] != '\0') {
		xw_start(&x, "arf:extended-infos");
		if (own_sha[0] != '\0') {
			xw_start(&x, "arf:extended-info");
			xw_attr(&x, "id", "plumb-owners");
			write_input(&x, st, own_sha, NULL);
			xw_end(&x);
		}
		if (tl_sha[0] != '\0') {
			xw_start(&x, "arf:extended-info");
			xw_attr(&x, "id", "plumb-tailoring");
			write_input(&x, st, tl_sha, NULL);
			xw_end(&x);
		}
		xw_end(&x);
	}
	xw_end(&x);
	return xw_close(&x, "ARF", e);
}
