import Foundation
import KerasCore

/// Makes `fit` survive a crash (Keras's `BackupAndRestore`): the model's weights, optimizer state
/// and training position go to `backupDir` at the end of each epoch, or every `n` batches with
/// `saveFrequency: .batches(n)` (Keras's integer `save_freq`); when `fit` starts again with the
/// same callback directory, they are restored and training resumes where the backup was taken,
/// ending with the weights an uninterrupted run ends with: the skipped epochs' shuffles are drawn
/// as before, and a backup taken mid-epoch resumes in that epoch after the batches it had
/// trained, in the same shuffled order (so a run seeded with `setRandomSeed(_:)` sees the same
/// batches). Keras itself restarts such an epoch from its first batch.
///
/// The backup is one file, `latest.weights.h5` (Keras's layout, with the position as attributes),
/// written to a temporary file and renamed, so a kill during the save leaves the previous backup
/// intact; `training_metadata.json` records the position for Keras too (`epoch`: the epoch to
/// resume in, `batch`: its last batch trained). With `deleteCheckpoint` (the default) the backup
/// is removed when training ends normally.
///
/// Epoch-level metrics of a resumed epoch cover its remaining batches only, and layers drawing
/// random numbers in training (`Dropout`) draw them from where the restarted program's generator
/// is, not where the interrupted run's was. In multi-process training a mid-epoch backup
/// restarts its epoch from the first batch on every rank, as Keras does.
///
/// ```swift
/// setRandomSeed(42)
/// let model = makeModel()
/// try model.fit(x, y, epochs: 20, callbacks: [BackupAndRestore(backupDir: "/tmp/backup", saveFrequency: .batches(100))])
/// // killed in epoch 7? Run the program again: it continues after the last 100-batch backup.
/// ```
public final class BackupAndRestore: Callback, @unchecked Sendable {
    /// The directory holding the backup (`latest.weights.h5` and `training_metadata.json`; Keras's `backup_dir`).
    public let backupDir: String
    /// When a backup is taken: `.epoch` at the end of each epoch, `.batches(n)` every `n` batches (Keras's `save_freq`).
    public let saveFrequency: ModelCheckpoint.SaveFrequency
    /// Whether the backup is removed when training ends normally (Keras's `delete_checkpoint`).
    public let deleteCheckpoint: Bool
    var weightsPath: String { backupDir + "/latest.weights.h5" }
    var metadataPath: String { backupDir + "/training_metadata.json" }
    private var currentEpoch = 0
    private var batchesSinceSave = 0

    /// - Precondition: a `.batches` frequency is positive (the program stops otherwise).
    public init(backupDir: String, saveFrequency: ModelCheckpoint.SaveFrequency = .epoch, deleteCheckpoint: Bool = true) {
        if case .batches(let n) = saveFrequency {
            require(n > 0, "BackupAndRestore: saveFrequency must be .epoch or a positive number of batches, received \(n)")
        }
        self.backupDir = backupDir
        self.saveFrequency = saveFrequency
        self.deleteCheckpoint = deleteCheckpoint
        super.init()
    }

    public override func onTrainBegin(logs: [String: Double]) throws {
        batchesSinceSave = 0
        guard let model = model as? Model, FileManager.default.fileExists(atPath: weightsPath) else { return }
        let file = try HDF5Reader(bytes: readFileBytes(weightsPath), name: weightsPath)
        let root = try file.root
        try WeightsStore.load(model, optimizer: model.optimizer, from: root)
        guard let text = try root.stringAttribute("epoch"), let epoch = Int(text), epoch >= 0 else {
            throw KerasError.corruptFile(file: weightsPath, expected: "an epoch attribute (a BackupAndRestore backup)", got: "none")
        }
        // Backups taken mid-epoch also record the batches of that epoch already trained.
        if let text = try root.stringAttribute("resume_step"), let steps = Int(text), steps > 0 {
            model.resumeEpoch = epoch
            model.resumeStep = steps
        } else {
            model.resumeEpoch = epoch + 1
        }
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {
        currentEpoch = epoch
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        guard case .batches(let n) = saveFrequency else { return }
        batchesSinceSave += 1
        guard batchesSinceSave >= n else { return }
        batchesSinceSave = 0
        try save(epoch: currentEpoch, batchesDone: batch + 1)
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        if saveFrequency == .epoch { try save(epoch: epoch, batchesDone: nil) }
    }

    /// Writes the backup: `epoch` completed (`batchesDone == nil`), or `batchesDone` batches of it.
    private func save(epoch: Int, batchesDone: Int?) throws {
        guard let model = model as? Model else { return }
        try FileManager.default.createDirectory(atPath: backupDir, withIntermediateDirectories: true)
        let file = try HDF5File()
        let root = try file.root
        try WeightsStore.save(model, optimizer: model.optimizer, into: root)
        try root.setAttribute("epoch", String(epoch))
        if let batchesDone { try root.setAttribute("resume_step", String(batchesDone)) }
        try writeAtomically(file.bytes(), to: weightsPath)
        let metadata: ConfigValue = batchesDone.map { ["epoch": .int(epoch), "batch": .int($0 - 1)] } ?? ["epoch": .int(epoch + 1), "batch": 0]
        try writeAtomically(Array(metadata.jsonString().utf8), to: metadataPath)
    }

    public override func onTrainEnd(logs: [String: Double]) throws {
        guard deleteCheckpoint else { return }
        try? FileManager.default.removeItem(atPath: weightsPath)
        try? FileManager.default.removeItem(atPath: metadataPath)
    }
}
