//! The generator's deterministic randomness: a seeded generator and alias
//! tables for exact weighted draws.

/// Walker/Vose alias table over integer weights: exact, O(1) sampling.
pub(super) struct Alias {
    pub(super) total: u64,
    /// Threshold (out of `total`) to keep the drawn index.
    pub(super) keep: Vec<u64>,
    pub(super) alias: Vec<u32>,
}

impl Alias {
    pub(super) fn new(weights: &[u64]) -> Alias {
        let n = weights.len() as u64;
        let total: u64 = weights.iter().sum();
        let mut scaled: Vec<u64> = weights.iter().map(|&w| w * n).collect();
        let mut keep = vec![total; weights.len()];
        let mut alias: Vec<u32> = (0..weights.len() as u32).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) =
            (0..weights.len() as u32).partition(|&i| scaled[i as usize] < total);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            keep[s as usize] = scaled[s as usize];
            alias[s as usize] = l;
            scaled[l as usize] -= total - scaled[s as usize];
            if scaled[l as usize] < total {
                large.pop();
                small.push(l);
            }
        }
        Alias { total, keep, alias }
    }

    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let i = rng.below(self.keep.len() as u64) as usize;
        if rng.below(self.total) < self.keep[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

/// xoshiro256** seeded by SplitMix64.
pub(super) struct Rng {
    pub(super) s: [u64; 4],
}

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, n)` (multiply-shift; `n > 0`).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `per_mille / 1000`.
    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// Approximately standard normal (Irwin-Hall of four uniforms, |z| < 3.47).
    pub(super) fn normal(&mut self) -> f64 {
        let x = self.next_u64();
        let sum = (x & 0xFFFF) + ((x >> 16) & 0xFFFF) + ((x >> 32) & 0xFFFF) + (x >> 48);
        (sum as f64 / 65536.0 - 2.0) * 1.732_050_807_568_877_2
    }

    /// Log-normal-ish: `median * exp(sigma * z)`, in whole seconds.
    pub(super) fn lognormal(&mut self, median_s: f64, sigma: f64) -> u64 {
        let z = self.normal();
        (median_s * exp_det(sigma * z)) as u64
    }
}

/// `1/k!` for k = 0..=10.
pub(super) const INV_FACT: [f64; 11] = {
    let mut a = [1.0; 11];
    let mut k = 1;
    while k < 11 {
        a[k] = a[k - 1] / k as f64;
        k += 1;
    }
    a
};

/// `e^x` with only basic IEEE operations (bit-for-bit the same everywhere).
pub(super) fn exp_det(x: f64) -> f64 {
    let x = x.clamp(-40.0, 40.0);
    let y = x * std::f64::consts::LOG2_E;
    // Round half away from zero without a libm call.
    let k = (y + if y < 0.0 { -0.5 } else { 0.5 }) as i64 as f64;
    let r = x - k * std::f64::consts::LN_2;
    // |r| <= ln 2 / 2: the degree-10 Taylor polynomial is accurate to 1e-13.
    let mut sum = INV_FACT[10];
    for i in (0..10).rev() {
        sum = sum * r + INV_FACT[i];
    }
    // 2^k built from bits: exact, |k| <= 58.
    let two_k = f64::from_bits(((1023 + k as i64) as u64) << 52);
    sum * two_k
}
