import Foundation
import KerasCore

/// Makes `fit` survive a crash (Keras's `BackupAndRestore`): at the end of each epoch the model's
/// weights, optimizer state and epoch go to `backupDir`; when `fit` starts again with the same
/// callback directory, they are restored and training resumes after the last completed epoch,
/// ending with the weights an uninterrupted run ends with (the skipped epochs' shuffles are
/// drawn as before, so a run seeded with `setRandomSeed(_:)` sees the same batches).
///
/// The backup is one file, `latest.weights.h5` (Keras's layout, with the epoch as an attribute),
/// written to a temporary file and renamed, so a kill during the save leaves the previous backup
/// intact; `training_metadata.json` records the epoch for Keras too. With `deleteCheckpoint`
/// (the default) the backup is removed when training ends normally.
///
/// ```swift
/// setRandomSeed(42)
/// let model = makeModel()
/// try model.fit(x, y, epochs: 20, callbacks: [BackupAndRestore(backupDir: "/tmp/backup")])
/// // killed at epoch 7? Run the program again: it continues from epoch 8.
/// ```
public final class BackupAndRestore: Callback, @unchecked Sendable {
    /// The `backupDir` this `BackupAndRestore` was created with.
    public let backupDir: String
    /// The `deleteCheckpoint` this `BackupAndRestore` was created with.
    public let deleteCheckpoint: Bool
    var weightsPath: String { backupDir + "/latest.weights.h5" }
    var metadataPath: String { backupDir + "/training_metadata.json" }

    /// Creates a `BackupAndRestore` with Keras's arguments and defaults (the names in Swift case).
    public init(backupDir: String, deleteCheckpoint: Bool = true) {
        self.backupDir = backupDir
        self.deleteCheckpoint = deleteCheckpoint
        super.init()
    }

    public override func onTrainBegin(logs: [String: Double]) throws {
        guard let model = model as? Model, FileManager.default.fileExists(atPath: weightsPath) else { return }
        let file = try HDF5File(bytes: readFileBytes(weightsPath), name: weightsPath)
        let root = try file.root
        try WeightsStore.load(model, optimizer: model.optimizer, from: root)
        guard let text = try root.stringAttribute("epoch"), let epoch = Int(text), epoch >= 0 else {
            throw KerasError.corruptFile(file: weightsPath, expected: "an epoch attribute (a BackupAndRestore backup)", got: "none")
        }
        model.resumeEpoch = epoch + 1
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        guard let model = model as? Model else { return }
        try FileManager.default.createDirectory(atPath: backupDir, withIntermediateDirectories: true)
        let file = try HDF5File()
        let root = try file.root
        try WeightsStore.save(model, optimizer: model.optimizer, into: root)
        try root.setAttribute("epoch", String(epoch))
        try writeAtomically(file.bytes(), to: weightsPath)
        let metadata: ConfigValue = ["epoch": .int(epoch), "batch": .int(-1)]
        try writeAtomically(Array(metadata.jsonString().utf8), to: metadataPath)
    }

    public override func onTrainEnd(logs: [String: Double]) throws {
        guard deleteCheckpoint else { return }
        try? FileManager.default.removeItem(atPath: weightsPath)
        try? FileManager.default.removeItem(atPath: metadataPath)
    }
}
