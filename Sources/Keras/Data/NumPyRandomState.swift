/// NumPy's legacy `np.random.RandomState(seed)` (Mersenne Twister MT19937) as far as the Keras
/// dataset loaders use it: `shuffle` of `np.arange(n)`, so that a loader given the same seed
/// returns the samples in the same order as Keras.
///
/// ```swift
/// var rng = NumPyRandomState(seed: 113)
/// let order = rng.permutation(5)   // np.random.RandomState(113).permutation(5)
/// ```
struct NumPyRandomState {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `RandomState(seed)` for an integer seed (`init_genrand`).
    init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// A uniform integer in `0...max` by masked rejection (NumPy's `random_interval`).
    private mutating func interval(_ max: Int) -> Int {
        if max == 0 { return 0 }
        var mask = UInt64(max)
        for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
        if max <= 0xFFFF_FFFF {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= UInt64(max) { return Int(value) }
            }
        }
        while true {
            let value = (UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())) & mask
            if value <= UInt64(max) { return Int(value) }
        }
    }

    /// Shuffles in place as `RandomState.shuffle` does a 1-D array (Fisher–Yates from the end).
    mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, through: 1, by: -1) {
            values.swapAt(i, interval(i))
        }
    }

    /// `RandomState.shuffle(np.arange(n))`: the order the dataset loaders take samples in.
    mutating func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<n)
        shuffle(&order)
        return order
    }
}
