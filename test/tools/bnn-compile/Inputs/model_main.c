/* Calls the functions of Inputs/model.mlir through the generated header and
 * prints their results; the object is linked with libc and libm only. */
#include "model.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  const float x[2 * 4] = {1, 2, 3, 4, -1, 0.5f, 2, -2};
  float xCopy[2 * 4];
  memcpy(xCopy, x, sizeof(x));
  float y[2 * 3];
  model(x, y);
  for (int i = 0; i < 2; ++i)
    printf("model[%d] = %g %g %g\n", i, y[3 * i], y[3 * i + 1], y[3 * i + 2]);
  /* Inputs are never written. */
  printf("model input %s\n",
         memcmp(x, xCopy, sizeof(x)) == 0 ? "unchanged" : "CHANGED");

  const float a[3] = {1.5f, -2, 0.25f}, b[3] = {2, 3, -4};
  float sum[3], product[3];
  add_mul(a, b, sum, product);
  printf("sum = %g %g %g\n", sum[0], sum[1], sum[2]);
  printf("product = %g %g %g\n", product[0], product[1], product[2]);

  const int32_t p[4] = {7, -3, 2147483647, 0}, q[4] = {10, -5, 1, -2};
  int32_t d[4];
  isub(p, q, d);
  printf("isub = %d %d %d %d\n", d[0], d[1], d[2], d[3]);
  return 0;
}

/* Hand-computed results, checked by ../run.mlir and ../run-aarch64.mlir:
 * row 0: (1,2,3,4) W = (9, 3, 6), + b = (9.5, 2.5, 7);
 * row 1: (-1,0.5,2,-2) W = (-2, -3.5, 1), + b = (-1.5, -4, 2).
 * CHECK:      model[0] = 9.5 2.5 7
 * CHECK-NEXT: model[1] = -1.5 -4 2
 * CHECK-NEXT: model input unchanged
 * CHECK-NEXT: sum = 3.5 1 -3.75
 * CHECK-NEXT: product = 3 -6 -1
 * CHECK-NEXT: isub = -3 2 2147483646 2
 */
