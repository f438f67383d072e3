//! The adaptive state of one G.722 sub-band: scale factor adaptation (blocks 3L/3H) and
//! the pole-zero predictor (block 4). Encoder and decoder run the same updates on the
//! same inverse-quantised differences, which is what keeps them in step without side
//! information.

use super::tables::{ILB, RH2, RL42, WH, WL};

/// Clamps to the 16-bit range, as every "limited" operation of the recommendation does.
pub(super) fn saturate(value: i32) -> i32 {
    value.clamp(i32::from(i16::MIN), i32::from(i16::MAX))
}

/// Which sub-band a state belongs to: they differ only in the scale factor constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Lower,
    Higher,
}

#[derive(Debug, Clone)]
pub(super) struct Band {
    kind: Kind,
    /// Signal estimate SL/SH (block 4 PREDIC): what the next sample is predicted to be.
    pub(super) s: i32,
    /// Pole and zero parts of the estimate (FILTEP, FILTEZ).
    sp: i32,
    sz: i32,
    /// Reconstructed signal, current and two past (RLT, RLT1, RLT2).
    r: [i32; 3],
    /// Second-order pole coefficients (AL1, AL2), index 0 unused, and their update.
    a: [i32; 3],
    ap: [i32; 3],
    /// Partially reconstructed signal (PLT), current and two past.
    p: [i32; 3],
    /// Quantised differences (DLT), current and six past; the zero section's input.
    d: [i32; 7],
    /// Sixth-order zero coefficients (BL1…BL6), index 0 unused, and their update.
    b: [i32; 7],
    bp: [i32; 7],
    /// Log scale factor (NBL/NBH) and the linear scale factor derived from it (DETL/DETH).
    nb: i32,
    pub(super) det: i32,
}

impl Band {
    /// The reset state (DETL = 32, DETH = 8, everything else zero).
    pub(super) fn new(kind: Kind) -> Self {
        Band {
            kind,
            s: 0,
            sp: 0,
            sz: 0,
            r: [0; 3],
            a: [0; 3],
            ap: [0; 3],
            p: [0; 3],
            d: [0; 7],
            b: [0; 7],
            bp: [0; 7],
            nb: 0,
            det: match kind {
                Kind::Lower => 32,
                Kind::Higher => 8,
            },
        }
    }

    /// Adapts the scale factor to a code word (LOGSCL/SCALEL or LOGSCH/SCALEH): the log
    /// factor leaks towards zero and steps by the code's magnitude, bounded so the linear
    /// factor stays within the table.
    pub(super) fn adapt_scale(&mut self, code: usize) {
        let (step, limit, offset) = match self.kind {
            Kind::Lower => (WL[RL42[code & 0x0f]], 18432, 8),
            Kind::Higher => (WH[RH2[code & 0x03]], 22528, 10),
        };
        self.nb = (((self.nb * 32512) >> 15) + step).clamp(0, limit);
        let mantissa = ILB[((self.nb >> 6) & 31) as usize];
        let shift = offset - (self.nb >> 11);
        let linear = if shift < 0 {
            mantissa << -shift
        } else {
            mantissa >> shift
        };
        self.det = linear << 2;
    }

    /// Block 4: reconstructs with the quantised difference `d`, adapts the predictor
    /// coefficients by sign correlation and computes the next signal estimate.
    pub(super) fn predict(&mut self, d: i32) {
        // RECONS, PARREC
        self.d[0] = d;
        self.r[0] = saturate(self.s + d);
        self.p[0] = saturate(self.sz + d);

        // UPPOL2: a2 leaks and follows the sign agreement of p with its past values.
        let sg0 = self.p[0] >> 15;
        let sg1 = self.p[1] >> 15;
        let sg2 = self.p[2] >> 15;
        let wd1 = saturate(self.a[1] << 2);
        let wd2 = if sg0 == sg1 { -wd1 } else { wd1 }.min(32767);
        let mut wd3 = if sg0 == sg2 { 128 } else { -128 };
        wd3 += wd2 >> 7;
        wd3 += (self.a[2] * 32512) >> 15;
        self.ap[2] = wd3.clamp(-12288, 12288);

        // UPPOL1: a1 likewise, bounded by the stability triangle 1 - 2^-4 - a2.
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let wd2 = (self.a[1] * 32640) >> 15;
        let bound = saturate(15360 - self.ap[2]);
        self.ap[1] = saturate(wd1 + wd2).clamp(-bound, bound);

        // UPZERO: each b leaks and steps towards the sign agreement of d with its past.
        let step = if d == 0 { 0 } else { 128 };
        let sign = d >> 15;
        for i in 1..7 {
            let agree = if self.d[i] >> 15 == sign { step } else { -step };
            self.bp[i] = saturate(agree + ((self.b[i] * 32640) >> 15));
        }

        // DELAYA
        for i in (1..7).rev() {
            self.d[i] = self.d[i - 1];
            self.b[i] = self.bp[i];
        }
        for i in (1..3).rev() {
            self.r[i] = self.r[i - 1];
            self.p[i] = self.p[i - 1];
            self.a[i] = self.ap[i];
        }

        // FILTEP
        let wd1 = (self.a[1] * saturate(self.r[1] + self.r[1])) >> 15;
        let wd2 = (self.a[2] * saturate(self.r[2] + self.r[2])) >> 15;
        self.sp = saturate(wd1 + wd2);

        // FILTEZ
        let mut sz = 0;
        for i in (1..7).rev() {
            sz += (self.b[i] * saturate(self.d[i] + self.d[i])) >> 15;
        }
        self.sz = saturate(sz);

        // PREDIC
        self.s = saturate(self.sp + self.sz);
    }
}
