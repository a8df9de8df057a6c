//! A minimal single-precision complex number for the DFT arithmetic.

use core::ops::{Add, AddAssign, Mul, Sub};

/// `re + j im`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct C32 {
    pub re: f32,
    pub im: f32,
}

impl C32 {
    pub const ZERO: C32 = C32 { re: 0.0, im: 0.0 };

    pub const fn new(re: f32, im: f32) -> C32 {
        C32 { re, im }
    }

    /// `e^(j theta)`.
    pub fn expj(theta: f32) -> C32 {
        let (s, c) = libm::sincosf(theta);
        C32 { re: c, im: s }
    }

    pub fn conj(self) -> C32 {
        C32 {
            re: self.re,
            im: -self.im,
        }
    }

    pub fn norm_sqr(self) -> f32 {
        self.re * self.re + self.im * self.im
    }

    #[cfg(test)]
    pub fn abs(self) -> f32 {
        libm::sqrtf(self.norm_sqr())
    }

    /// Argument in (-pi, pi].
    pub fn arg(self) -> f32 {
        libm::atan2f(self.im, self.re)
    }

    pub fn scale(self, k: f32) -> C32 {
        C32 {
            re: self.re * k,
            im: self.im * k,
        }
    }

    /// `self / rhs`; zero when `rhs` is zero.
    pub fn div(self, rhs: C32) -> C32 {
        let d = rhs.norm_sqr();
        if d == 0.0 {
            return C32::ZERO;
        }
        (self * rhs.conj()).scale(1.0 / d)
    }
}

impl Add for C32 {
    type Output = C32;
    fn add(self, rhs: C32) -> C32 {
        C32 {
            re: self.re + rhs.re,
            im: self.im + rhs.im,
        }
    }
}

impl AddAssign for C32 {
    fn add_assign(&mut self, rhs: C32) {
        self.re += rhs.re;
        self.im += rhs.im;
    }
}

impl Sub for C32 {
    type Output = C32;
    fn sub(self, rhs: C32) -> C32 {
        C32 {
            re: self.re - rhs.re,
            im: self.im - rhs.im,
        }
    }
}

impl Mul for C32 {
    type Output = C32;
    fn mul(self, rhs: C32) -> C32 {
        C32 {
            re: self.re * rhs.re - self.im * rhs.im,
            im: self.re * rhs.im + self.im * rhs.re,
        }
    }
}

/// `sum_{n=0}^{len-1} e^(j delta n)`: the DFT of a unit complex exponential
/// `delta` rad/sample away from the analysis frequency, over `len` samples,
/// referenced to the first sample (the rectangular-window kernel).
pub(crate) fn dirichlet(delta: f32, len: usize) -> C32 {
    let n = len as f32;
    let half = 0.5 * delta;
    let den = libm::sinf(half);
    let mag = if den.abs() < 1e-6 {
        n
    } else {
        libm::sinf(n * half) / den
    };
    C32::expj(half * (n - 1.0)).scale(mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: C32, b: C32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn multiplication_and_division_are_inverse() {
        let a = C32::new(1.5, -2.0);
        let b = C32::new(-0.25, 3.0);
        assert!(close((a * b).div(b), a, 1e-5));
        assert_eq!(a.div(C32::ZERO), C32::ZERO);
    }

    #[test]
    fn expj_lies_on_the_unit_circle_at_the_angle() {
        let z = C32::expj(1.0);
        assert!((z.abs() - 1.0).abs() < 1e-6);
        assert!((z.arg() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn dirichlet_matches_the_direct_sum() {
        for &(delta, len) in &[(0.0f32, 80usize), (0.1, 80), (-0.37, 40), (2.0, 102), (1e-7, 10)] {
            let mut direct = C32::ZERO;
            for n in 0..len {
                direct += C32::expj(delta * n as f32);
            }
            assert!(
                close(dirichlet(delta, len), direct, 1e-3 * len as f32),
                "{delta} {len}"
            );
        }
    }
}
