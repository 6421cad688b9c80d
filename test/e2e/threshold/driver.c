/* Runs the fused (thr_*) and unfused (ref_*) compilations of model.mlir on
 * every accumulator value and compares the sign bits of all 8 channels.
 * Row r of the input has r of its K logical bits set (r times -1), so with
 * an all +1 filter acc = K - 2r: every value the layer can produce. */
#include <stdint.h>
#include <stdio.h>

void thr_8(const uint64_t *in0, uint64_t *out0);
void ref_8(const uint64_t *in0, uint64_t *out0);
void thr_7(const uint64_t *in0, uint64_t *out0);
void ref_7(const uint64_t *in0, uint64_t *out0);

static int check(int k, void (*fused)(const uint64_t *, uint64_t *),
                 void (*unfused)(const uint64_t *, uint64_t *)) {
  uint64_t x[9], a[9], b[9];
  int failed = 0;
  for (int r = 0; r <= k; ++r)
    x[r] = (r == 64) ? ~0ull : ((1ull << r) - 1);
  fused(x, a);
  unfused(x, b);
  for (int r = 0; r <= k; ++r) {
    int acc = k - 2 * r;
    printf("K=%d acc=%+d bits=%02llx\n", k, acc, (unsigned long long)a[r]);
    if (a[r] != b[r]) {
      printf("MISMATCH K=%d acc=%d: fused %02llx, float %02llx\n", k, acc,
             (unsigned long long)a[r], (unsigned long long)b[r]);
      ++failed;
    }
  }
  return failed;
}

int main(void) {
  int failed = check(8, thr_8, ref_8) + check(7, thr_7, ref_7);
  printf("%d passed, %d failed\n", 17 - failed, failed);
  return failed != 0;
}
