build/scanner/cli.o: scanner/cli.c scanner/cmd.h scanner/util.h \
 scanner/limits.h
scanner/cmd.h:
scanner/util.h:
scanner/limits.h:
