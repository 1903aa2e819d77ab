CHECK_BINS += bench/abtime
bench/abtime: bench/abtime.c
	$(CC) $(HK_CFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS)
