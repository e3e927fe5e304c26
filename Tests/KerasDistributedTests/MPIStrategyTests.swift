import Foundation
import Keras
import KerasTestSupport
import Testing

/// Data-parallel `fit` over Open MPI, run through `mpirun` on this machine (loopback): two ranks
/// train to the weights one process reaches with the same global batch and seed, and a rank that
/// throws ends the whole job. The ranks run `keras-mpi-check` (Sources/keras-mpi-check).
@Suite("MPI data parallelism", .serialized) struct MPIStrategyTests {
    static let check = builtProduct("keras-mpi-check")
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let skipMessage = "mpirun not found: install openmpi-bin (make deps) to run the MPI tests"

    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func twoRanksTrainTheMLPToTheWeightsOfOneProcess() throws { try compareTwoRanksWithOneProcess(model: "mlp", data: "arrays") }

    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func twoRanksTrainTheCNNOnADatasetToTheWeightsOfOneProcess() throws { try compareTwoRanksWithOneProcess(model: "cnn", data: "dataset") }

    /// Dropout draws, for each rank's samples, the masks one process draws for them; AUC,
    /// precision, recall and F1 (state not a (sum, count) pair) are exact in every rank's logs;
    /// validation, `evaluate` and `predict` are sharded and gathered.
    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func twoRanksTrainADropoutMLPWithGlobalMetricsEvaluateAndPredictLikeOneProcess() throws {
        try compareTwoRanksWithOneProcess(model: "dropout", data: "arrays")
    }

    /// `BatchNormalization(synchronized: true)` normalizes with the global batch's statistics
    /// (and its gradients), with Gaussian noise and dropout in the model too.
    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func twoRanksTrainASynchronizedBatchNormCNNOnADatasetLikeOneProcess() throws {
        try compareTwoRanksWithOneProcess(model: "bn", data: "dataset")
    }

    /// Trains 3 epochs of 300 shuffled samples in global batches of 64 (the last one 44).
    func compareTwoRanksWithOneProcess(model: String, data: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = try runProcess(Self.check!, ["train", dir.appendingPathComponent("single").path, model, data], timeout: 120)
        #expect(single.status == 0, "single process: \(single.stderr)")
        let pair = try runProcess(Self.mpirun!, Self.mpirunFlags(ranks: 2) + [Self.check!, "train", dir.appendingPathComponent("mpi").path, model, data], timeout: 180)
        #expect(pair.status == 0, "mpirun -np 2: \(pair.stderr)")
        // Only rank 0 printed the progress bar and wrote the CSV log.
        #expect(pair.stdout.components(separatedBy: "Epoch 1/3").count == 2, "\(pair.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mpi-log-rank0.csv").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mpi-log-rank1.csv").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mpi-tensorboard-rank0").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mpi-tensorboard-rank1").path))
        let reference = try loadNPZ(dir.appendingPathComponent("single-rank0.npz").path)
        let rank0 = try loadNPZ(dir.appendingPathComponent("mpi-rank0.npz").path)
        let rank1 = try loadNPZ(dir.appendingPathComponent("mpi-rank1.npz").path)
        #expect(Set(reference.keys) == Set(rank0.keys) && reference.keys.contains("history_loss") && reference.keys.contains("w1"))
        if model == "dropout" || model == "bn" {
            #expect(["history_auc", "history_val_f1_score", "evaluate_auc", "evaluate_loss", "predict"].allSatisfy(reference.keys.contains),
                    "\(reference.keys.sorted())")
            #expect(reference["predict"]!.shape == [97, 10])
        }
        for (key, expected) in reference {
            // Every rank applied the same averaged update: bit-identical weights and logs.
            #expect(rank0[key]!.doubles == rank1[key]!.doubles, "ranks differ in \(key)")
            assertClose(rank0[key]!, expected, rtol: 0, atol: 1e-5, key)
        }
        // Training moved the weights (the comparison is not between two initializations).
        #expect(reference["history_loss"]!.doubles.last! < reference["history_loss"]!.doubles.first!)
    }

    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func aRankThatThrowsEndsEveryRank() throws {
        let start = Date()
        let run = try runProcess(Self.mpirun!, Self.mpirunFlags(ranks: 2) + [Self.check!, "fail", "2", "1"], timeout: 120)
        #expect(!run.timedOut, "the job hung after one rank threw")
        #expect(run.status != 0)
        #expect(run.stderr.contains("rank 1 of 2: injected fault after step 2; aborting the MPI job"), "\(run.stderr)")
        #expect(Date().timeIntervalSince(start) < 120)
    }

    @Test(.enabled(if: mpirun != nil, "\(skipMessage)"), .enabled(if: check != nil, "keras-mpi-check is not built"))
    func aJobKilledByAFaultResumesFromItsBackupToTheUninterruptedWeights() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = try runProcess(Self.check!, ["resume", dir.appendingPathComponent("single").path, "-1"], timeout: 120)
        #expect(single.status == 0, "single process: \(single.stderr)")
        let job = dir.appendingPathComponent("job").path
        // Rank 1 throws in the third epoch: the job ends after rank 0 backed up epoch 2.
        let failed = try runProcess(Self.mpirun!, Self.mpirunFlags(ranks: 2) + [Self.check!, "resume", job, "2"], timeout: 120)
        #expect(failed.status != 0 && !failed.timedOut)
        let resumed = try runProcess(Self.mpirun!, Self.mpirunFlags(ranks: 2) + [Self.check!, "resume", job, "-1"], timeout: 120)
        #expect(resumed.status == 0, "resumed job: \(resumed.stderr)")
        let reference = try loadNPZ(dir.appendingPathComponent("single-rank0.npz").path)
        for rank in 0..<2 {
            let result = try loadNPZ("\(job)-rank\(rank).npz")
            #expect(result["epochs_run"]!.item == 2, "rank \(rank) resumed at epoch 3 of 4")
            for (key, expected) in reference where key.hasPrefix("w") { assertClose(result[key]!, expected, rtol: 0, atol: 1e-5, key) }
        }
    }

    static func mpirunFlags(ranks: Int) -> [String] {
        // Waiting ranks yield their core: the test machine may have fewer idle cores than ranks.
        ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none",
         "--mca", "mpi_yield_when_idle", "1", "-np", "\(ranks)"]
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
}

/// Runs `path` with `arguments`, killing it after `timeout` seconds.
func runProcess(_ path: String, _ arguments: [String], timeout: Double) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    process.environment = environment
    // Files rather than pipes: a full pipe would block the ranks.
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-stderr-\(UUID().uuidString)")
    let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-stdout-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: errors.path, contents: nil)
    FileManager.default.createFile(atPath: outputs.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors); try? FileManager.default.removeItem(at: outputs) }
    let handle = try FileHandle(forWritingTo: errors), outputHandle = try FileHandle(forWritingTo: outputs)
    process.standardError = handle
    process.standardOutput = outputHandle
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    let timedOut = process.isRunning
    if timedOut { process.terminate(); process.waitUntilExit() }
    try handle.close()
    try outputHandle.close()
    let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
    let stdout = (try? String(contentsOf: outputs, encoding: .utf8)) ?? ""
    return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
}

/// The path of an executable product built next to the test bundle, if any.
func builtProduct(_ name: String) -> String? {
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
