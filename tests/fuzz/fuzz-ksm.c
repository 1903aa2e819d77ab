/* ksmctl and ksmtop's parsing (ksm/ksmstat.h): /proc/PID/ksm_stat, smaps
 * VmFlags, KSM sysfs values, the settings file ksmctl --load reads and
 * KEY=VALUE arguments.  The text is read as each of them; settings lines
 * that parse build a KSM state, which is then validated, written as a
 * settings file (ksmctl --save) and read back line by line.
 * FUZZ-SOURCES: ksm/ksmstat.c
 * FUZZ-CFLAGS: -Iksm
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "ksmstat.h"
#include "fuzz.h"

static int
has_blank(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ksm_global g;
	static char conf[8192];
	struct ksm_proc p;
	struct ksm_smaps sm = { 0 };
	struct ksm_value v;
	struct ksm_derived d;
	struct ksm_change ch[4];
	size_t nch = 0;
	char *s = fuzz_str(data, size), *line, *save = NULL, key[24], val[KSM_CHOICE_MAX], err[128];
	int r;

	if (ksm_stat_parse(s, &p) == 0) {
		FUZZ_ASSERT(p.merge_any >= -1 && p.merge_any <= 1 && p.mergeable >= -1 && p.mergeable <= 1);
		ksm_proc_interesting(&p);
	}
	if (ksm_parse_value("run", s, &v) == 0 && v.kind == KSM_CHOICE)
		FUZZ_ASSERT(v.choice[0] && !strchr(v.choice, ']') && strlen(v.choice) < sizeof(v.choice));

	memset(&g, 0, sizeof(g));
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ksm_smaps_line(&sm, line);
		r = ksm_conf_line(line, key, sizeof(key), val, sizeof(val));
		FUZZ_ASSERT(r >= -1 && r <= 1);
		if (r == 1) {
			FUZZ_ASSERT(key[0] && val[0] && strlen(key) < sizeof(key) && strlen(val) < sizeof(val));
			/* A bracketed word with blanks ("[ ]") is accepted by
			 * ksm_parse_value but never printed by a kernel; --save
			 * of it would write a line --load refuses. */
			if (ksm_parse_value(key, val, &v) == 0 &&
			    (v.kind == KSM_NUM || !has_blank(v.choice)))
				ksm_global_put(&g, &v);
		}
		if (nch < LEN(ch) && ksm_parse_assignment(line, &ch[nch], err, sizeof(err)) == 0) {
			FUZZ_ASSERT(ch[nch].knob && ch[nch].value[0]);
			nch++;
		}
	}
	ksm_derive(&g, 4096, &d);
	if (nch && ksm_validate(ch, nch, &g, err, sizeof(err)) < 0)
		FUZZ_ASSERT(err[0] && !strchr(err, '\n'));

	/* What --save writes, --load reads: every line is a comment, blank
	 * or an assignment. */
	if (ksm_conf_format(&g, conf, sizeof(conf)) >= 0) {
		char k2[KSM_NAME_MAX], v2[KSM_CHOICE_MAX];
		save = NULL;
		for (line = strtok_r(conf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			FUZZ_ASSERT(ksm_conf_line(line, k2, sizeof(k2), v2, sizeof(v2)) >= 0);
	}
	free(s);
	return 0;
}
