build/scanner/checks.o: scanner/checks.c scanner/probe.h scanner/plat.h \
 scanner/util.h scanner/limits.h
scanner/probe.h:
scanner/plat.h:
scanner/util.h:
scanner/limits.h:
