build/scanner/util.o: scanner/util.c scanner/util.h scanner/limits.h
scanner/util.h:
scanner/limits.h:
