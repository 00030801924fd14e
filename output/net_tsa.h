/*
 * net_tsa.h - asking an RFC 3161 time-stamp authority over HTTP(S).
 *
 * The only network use of the evidence bundle, kept apart so bundle.c holds
 * no network code and curl.h stays in as few files as possible.
 */
#ifndef PLUMB_NET_TSA_H
#define PLUMB_NET_TSA_H

#include <stddef.h>

#include "util.h"

/*
 * POSTs the DER TimeStampReq req (application/timestamp-query) to url
 * (http or https only, no redirects, PLUMB_TSA_TIMEOUT_S in all) and returns
 * the reply body in *resp (the caller frees), at most PLUMB_TSR_MAX bytes.
 * A status other than 200 is PLUMB_ENET naming it.
 */
int net_tsa_post(const char *url, const unsigned char *req, size_t req_len,
		 unsigned char **resp, size_t *resp_len, struct errbuf *e);

#endif
