import Foundation
import Keras
import KerasTestSupport
import Testing

/// A process killed (SIGKILL) in the middle of `fit` resumes from its last completed epoch with
/// BackupAndRestore and ends with the weights of an uninterrupted run; a process killed while
/// saving leaves a loadable file. The child is the `keras-saving-child` executable.
@Suite("Saving crash recovery") struct SavingCrashTests {
    /// The child executable, built beside the test bundle.
    static let child = builtExecutable("keras-saving-child")

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
        #expect(b["first_batches"]?.toArray(of: Int32.self) == [0, 0, 0])
        for key in a.keys where !["epochs", "first_batches"].contains(key) {
            assertClose(b[key]!.cast(to: .float64), a[key]!.cast(to: .float64), rtol: 0, atol: 0, key)
        }

        // Backing up every 3 batches (Keras's integer save_freq), killed after batch 6 of epoch 3
        // (the 31st batch): the backup after the 30th batch resumes in epoch 3 at batch 6, the
        // skipped batches drawn in the same shuffled order, and ends with the same weights.
        #expect(try Self.run(["fit", dir + "/backup-c", dir + "/never.npz", "3", "6", "3"]) == -SIGKILL)
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/backup-c/training_metadata.json"))) as? [String: Int]
        #expect(metadata == ["epoch": 3, "batch": 5])   // Keras's fields: the epoch in progress, its last batch trained
        #expect(try Self.run(["fit", dir + "/backup-c", dir + "/resumed-mid-epoch.npz", "-1", "-1", "3"]) == 0)
        let c = try loadNPZ(dir + "/resumed-mid-epoch.npz")
        #expect(c["epochs"]?.toArray(of: Int32.self) == [3, 4, 5])
        #expect(c["first_batches"]?.toArray(of: Int32.self) == [6, 0, 0])
        for key in a.keys where !["epochs", "first_batches"].contains(key) {
            assertClose(c[key]!.cast(to: .float64), a[key]!.cast(to: .float64), rtol: 0, atol: 0, key)
        }
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

/// The package executable `name` built beside the test bundle (`swift build --build-tests`
/// builds every product), or nil.
func builtExecutable(_ name: String) -> String? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let built = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/\(name)").path
    return FileManager.default.isExecutableFile(atPath: built) ? built : nil
}

/// The fuzz corpus (Fuzz/corpus: seeds and inputs the fuzzer found) replayed through the fuzz
/// target's own code: every input loads or throws a KerasError, none stops the process.
@Suite("Saving fuzz corpus") struct SavingFuzzCorpusTests {
    static let replay = builtExecutable("keras-fuzz-loader")

    @Test(.enabled(if: replay != nil, "keras-fuzz-loader is not built")) func corpusLoadsOrThrows() throws {
        let corpus = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map { corpus.appendingPathComponent($0).path }
        #expect(files.count >= 7)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.replay!)
        process.arguments = files
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(output)")
        // The seeds are valid files: they load (a release build skips the HDF5Reader-only selector).
        for line in output.split(separator: "\n") where line.hasPrefix("seed-") {
            #expect(line.hasSuffix("loaded") || line.hasSuffix("(debug builds only)"), "\(line)")
        }
    }
}
