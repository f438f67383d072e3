//! The constant tables of ITU-T G.722, named after the computation blocks of the
//! recommendation that use them (QUANTL, INVQAL, LOGSCL, …).
//!
//! Quantiser thresholds and outputs are in the recommendation's fixed-point scales: a
//! threshold times the scale factor is shifted right by 12, an output by 15, so the
//! outputs sit at eight times the middle of their threshold interval.

/// QMF coefficients h(0), h(2), …, h(22) (scaled by 2^13); the odd
/// taps h(1), h(3), …, h(23) are the same values in reverse order.
pub(super) const QMF_EVEN: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

/// Lower band 6-bit quantiser decision levels Q6 (QUANTL), intervals 1..=29.
pub(super) const Q6: [i32; 30] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940,
    1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
];

/// Code words for a negative difference by interval (ILN), index 0 unused.
pub(super) const ILN: [i32; 31] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
    10, 9, 8, 7, 6, 5, 4,
];

/// Code words for a positive difference by interval (ILP), index 0 unused.
pub(super) const ILP: [i32; 31] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39,
    38, 37, 36, 35, 34, 33, 32,
];

/// Lower band 6-bit inverse quantiser outputs QQ6 by code word (INVQBL, ×8);
/// code words 0–3 are never sent and decode as the smallest negative step.
pub(super) const QM6: [i32; 64] = [
    -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232,
    -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776,
    -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280,
    11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776,
    2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];

/// Lower band 4-bit inverse quantiser outputs QQ4 by the code word's top four bits: the
/// predictor adapts on this coarser value so the embedded 56 and 48 kbit/s modes stay in
/// step (INVQAL).
pub(super) const QM4: [i32; 16] = [
    0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584,
    1200, 0,
];

/// Magnitude index of a 4-bit code (RIL → IL4) for the log scale factor update.
pub(super) const RL42: [usize; 16] = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];

/// Lower band log scale factor multipliers WL by magnitude (LOGSCL).
pub(super) const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];

/// Higher band 2-bit inverse quantiser outputs QQ2 by code word (INVQAH, ×8).
pub(super) const QM2: [i32; 4] = [-7408, -1616, 7408, 1616];

/// Higher band decision threshold (Q2 in the recommendation's threshold scale).
pub(super) const Q2: i32 = 564;

/// Higher band code words: [unused, small, large] magnitude, by sign of the difference.
pub(super) const IHN: [i32; 3] = [0, 1, 0];
pub(super) const IHP: [i32; 3] = [0, 3, 2];

/// Magnitude index of a 2-bit code (IH → IH2) for the log scale factor update.
pub(super) const RH2: [usize; 4] = [2, 1, 2, 1];

/// Higher band log scale factor multipliers WH by magnitude (LOGSCH).
pub(super) const WH: [i32; 3] = [0, -214, 798];

/// Inverse log table ILB: 2048 · 2^(i/32), the mantissa of the linear scale factor
/// (SCALEL, SCALEH).
pub(super) const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_log_table_is_two_to_the_i_over_32() {
        for (i, value) in ILB.iter().enumerate() {
            let exact = 2048.0 * 2f64.powf(i as f64 / 32.0);
            assert_eq!(*value, exact.round() as i32, "ILB[{i}]");
        }
    }

    #[test]
    fn qmf_coefficients_have_unit_gain_per_phase() {
        // Each polyphase half sums to 2^12, so the pair of bands carries the input at
        // unit gain (2^13 over both halves).
        assert_eq!(QMF_EVEN.iter().sum::<i32>(), 4096);
    }

    #[test]
    fn six_bit_outputs_sit_in_the_middle_of_their_interval() {
        // Interval i of the positive side is coded ILP[i] and decodes near the middle
        // of [Q6[i-1], Q6[i]) at 8× scale.
        for i in 2..30 {
            let code = ILP[i] as usize;
            let middle = (Q6[i - 1] + Q6[i]) * 4;
            assert!((QM6[code] - middle).abs() <= 8, "interval {i}");
            let negative = ILN[i] as usize;
            assert_eq!(QM6[negative], -QM6[code], "interval {i}");
        }
    }
}
