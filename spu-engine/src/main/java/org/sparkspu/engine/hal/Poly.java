package org.sparkspu.engine.hal;

import java.util.function.DoubleUnaryOperator;

/**
 * Polynomial approximations: interpolation at the Chebyshev nodes of an interval, which is within
 * a small factor of the minimax polynomial of the same degree (Trefethen, "Approximation Theory and
 * Approximation Practice", ch. 16). Coefficients are returned in the monomial basis, lowest degree
 * first; the degrees used here (at most 5) keep the Vandermonde system well conditioned.
 */
final class Poly {
  private Poly() {}

  static double[] chebyshevFit(DoubleUnaryOperator fn, double lo, double hi, int degree) {
    int m = degree + 1;
    double[][] a = new double[m][m + 1];
    for (int k = 0; k < m; k++) {
      double x = Math.cos((2 * k + 1) * Math.PI / (2 * m));
      double t = (x + 1) / 2 * (hi - lo) + lo;
      double pw = 1;
      for (int j = 0; j < m; j++) {
        a[k][j] = pw;
        pw *= t;
      }
      a[k][m] = fn.applyAsDouble(t);
    }
    // Gaussian elimination with partial pivoting.
    for (int col = 0; col < m; col++) {
      int piv = col;
      for (int r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
      double[] tmp = a[col];
      a[col] = a[piv];
      a[piv] = tmp;
      for (int r = col + 1; r < m; r++) {
        double q = a[r][col] / a[col][col];
        for (int c = col; c <= m; c++) a[r][c] -= q * a[col][c];
      }
    }
    double[] coef = new double[m];
    for (int r = m - 1; r >= 0; r--) {
      double s = a[r][m];
      for (int c = r + 1; c < m; c++) s -= a[r][c] * coef[c];
      coef[r] = s / a[r][r];
    }
    return coef;
  }
}
