import Synchronization

/// Problems found while a layer builds (a weight its initializer or constraint cannot fit), so
/// the throwing entry points (`build(_:)`, `Sequential.add`, symbolic calls, `build_config`)
/// throw them instead of stopping. A build that is not inside one stops with the message.
final class BuildIssues: Sendable {
    /// The issues of the build running on this task, if a throwing entry point started it.
    @TaskLocal static var current: BuildIssues?

    private let errors = Mutex<[KerasError]>([])

    /// The first problem recorded.
    var first: KerasError? { errors.withLock { $0.first } }

    /// Records `error` in the build in progress, or stops with its message when there is none.
    static func report(_ error: KerasError) {
        guard let current else { fatalError(error.description) }
        current.errors.withLock { $0.append(error) }
    }
}
