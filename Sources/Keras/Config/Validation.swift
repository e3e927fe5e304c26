import KerasCore

// Each argument rule is written once, as a `static func validate(…) throws` on the type that
// needs it: the config path (`init(config:)`, deserializers) throws `KerasError.invalidConfig`
// through `ObjectConfigReader.validated(_:)`, and the non-throwing Swift initializer stops the
// program through `requireValid(_:)`, since a bad literal argument is misuse in code.

/// Throws `KerasError.invalidArgument(message)` unless `condition` holds.
///
/// ```swift
/// try ensure(units > 0, "Dense: received an invalid value for `units`, expected a positive integer. Received: units=\(units)")
/// ```
func ensure(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw KerasError.invalidArgument(message()) }
}

/// Runs a shared argument check inside a non-throwing initializer: a failure stops the program
/// with the check's message, in release builds too.
///
/// ```swift
/// requireValid { try Dense.validate(units: units, loraRank: loraRank) }
/// ```
func requireValid(_ check: () throws -> Void, file: StaticString = #fileID, line: UInt = #line) {
    do { try check() } catch { fatalError("\(error)", file: file, line: line) }
}

/// The most elements one weight a layer creates from a config may hold (2³¹ − 1, 8 GiB of
/// float32): a hostile config cannot make a loader allocate more. Loading a saved model lowers
/// it to the largest variable its weights file stores (``WeightLimit``).
var maxWeightElements: Int { WeightLimit.current ?? Int(Int32.max) }

/// A task-local cap on the elements of one weight, set while a saved model is recreated.
enum WeightLimit {
    @TaskLocal static var current: Int?
    /// Set while a saved model whose every weight the file then overwrites is recreated: weights
    /// start as zeros instead of running their initializers.
    @TaskLocal static var skipsInitializers = false
}

/// The element count of `shape`, or `nil` when it overflows or passes ``maxWeightElements``.
func boundedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for d in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow, d >= 0, product <= maxWeightElements else { return nil }
        count = product
    }
    return count
}

/// Sizes a layer takes from a config (window sizes, strides, padding, cropping, repeat factors,
/// target sizes, vocabulary sizes) are at most ``maxWeightElements``.
func ensureBoundedSizes(_ sizes: [Int], layer: String, argument: String) throws {
    try ensure(sizes.allSatisfy { $0 <= maxWeightElements }, "\(layer): `\(argument)` values must be at most \(maxWeightElements). Received: \(argument)=\(sizes)")
}
