import Foundation
import Synchronization

/// Fresh temporary directories for the files tests write, all removed (with their contents)
/// when the test process exits, so a test run leaves nothing in the system's temporary folder.
///
/// ```swift
/// let dir = try makeTemporaryDirectory("swift-keras-saving")
/// try model.save(to: dir + "/model.keras")
/// ```
public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    TemporaryDirectories.register(path)
    return path
}

/// The directories ``makeTemporaryDirectory(_:)`` made in this process.
private enum TemporaryDirectories {
    static let made = Mutex<[String]>([])
    /// Installs the exit handler once, on first use.
    static let removalAtExit: Void = { atexit { TemporaryDirectories.removeAll() } }()

    static func register(_ path: String) {
        _ = removalAtExit
        made.withLock { $0.append(path) }
    }

    static func removeAll() {
        for path in made.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
