import Foundation
import Keras
import KerasTestSupport
import Testing

/// A process killed (SIGKILL) in the middle of `fit` resumes from its last completed epoch with
/// BackupAndRestore and ends with the weights of an uninterrupted run; a process killed while
/// saving leaves a loadable file. The child is the `keras-saving-child` executable.
@Suite("Saving crash recovery") struct SavingCrashTests {
    /// The child executable, built beside the test bundle.
    static let child: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("keras-saving-child").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let built = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/keras-saving-child").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }()

    /// Runs the child to completion: its exit status, or the signal that ended it (negative).
    static func run(_ arguments: [String], killAfter seconds: Double? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: child!)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        if let seconds {
            Thread.sleep(forTimeInterval: seconds)
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }

    @Test(.enabled(if: child != nil, "keras-saving-child is not built")) func resumesAfterSIGKILLWithIdenticalWeights() throws {
        let dir = try SavingTests.temporaryDirectory()
        #expect(try Self.run(["fit", dir + "/backup-a", dir + "/uninterrupted.npz"]) == 0)
        #expect(try Self.run(["fit", dir + "/backup-b", dir + "/never.npz", "3", "2"]) == -SIGKILL)
        #expect(FileManager.default.fileExists(atPath: dir + "/backup-b/latest.weights.h5"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/never.npz"))
        #expect(try Self.run(["fit", dir + "/backup-b", dir + "/resumed.npz"]) == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/backup-b/latest.weights.h5"))   // deleted at the end
        let a = try loadNPZ(dir + "/uninterrupted.npz"), b = try loadNPZ(dir + "/resumed.npz")
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a["epochs"]?.toArray(of: Int32.self) == [0, 1, 2, 3, 4, 5])
        #expect(b["epochs"]?.toArray(of: Int32.self) == [3, 4, 5])   // resumed after epoch 2, the last completed one
        for key in a.keys where key != "epochs" { assertClose(b[key]!.cast(to: .float64), a[key]!.cast(to: .float64), rtol: 0, atol: 0, key) }
    }

    @Test(.enabled(if: child != nil, "keras-saving-child is not built")) func killDuringSaveLeavesALoadableFile() throws {
        let dir = try SavingTests.temporaryDirectory()
        let path = dir + "/model.keras"
        for delay in [0.4, 0.55, 0.7] {
            _ = try Self.run(["save-loop", path], killAfter: delay)
            if FileManager.default.fileExists(atPath: path) {
                let model = try loadModel(path)
                #expect(model.countParams() == 1000 * 1000 + 1000 + 1000 * 10 + 10)
            }
        }
    }
}
