/* Debian version comparison (dpkg's algorithm), for newest-first kernels. */
#ifndef BOOTLOADER_DEBVER_H
#define BOOTLOADER_DEBVER_H

/* Compares two "[epoch:]upstream[-revision]" strings the way
 * `dpkg --compare-versions` does: epochs numerically, then upstream and
 * revision by verrevcmp, where '~' sorts before everything (even the end
 * of the string), letters before other characters, and digit runs compare
 * as numbers.  <0, 0 or >0.  */
int debver_cmp(const char *a, const char *b);
/* The upstream/revision part comparison alone (dpkg's verrevcmp). */
int debver_verrevcmp(const char *a, const char *b);

#endif
