import Foundation
import KerasCore

/// Saves the model (or its weights) during `fit` (Keras's `ModelCheckpoint`).
///
/// `filepath` may hold Python-style fields filled from the epoch (1-based, as Keras prints it),
/// the batch (1-based, with an integer `saveFrequency`) and the logs: `{epoch}`, `{epoch:02d}`,
/// `{val_loss:.2f}`, `{accuracy:.4f}`. With `saveBestOnly`, a file is written only when the
/// `monitor`ed value improves (`mode` `.min`, `.max`, or `.auto` from the metric's name).
/// Every file is written to a temporary file and renamed into place.
///
/// ```swift
/// let checkpoint = ModelCheckpoint(filepath: "ckpt/model-{epoch:02d}-{val_loss:.2f}.keras",
///                                  monitor: "val_loss", saveBestOnly: true)
/// try model.fit(x, y, epochs: 10, validationSplit: 0.2, callbacks: [checkpoint])
/// ```
public final class ModelCheckpoint: MonitorCallback, @unchecked Sendable {
    /// When to save: at the end of each epoch, or every `n` training batches.
    public enum SaveFrequency: Sendable, Equatable {
        /// Save at the end of each epoch (Keras's `save_freq="epoch"`).
        case epoch
        /// Save every `n` training batches (Keras's integer `save_freq`).
        case batches(Int)
    }

    /// The `filepath` this `ModelCheckpoint` was created with.
    public let filepath: String
    /// The `saveBestOnly` this `ModelCheckpoint` was created with.
    public let saveBestOnly: Bool
    /// The `saveWeightsOnly` this `ModelCheckpoint` was created with.
    public let saveWeightsOnly: Bool
    /// The `saveFrequency` this `ModelCheckpoint` was created with.
    public let saveFrequency: SaveFrequency
    /// The `verbose` this `ModelCheckpoint` was created with.
    public let verbose: Int
    private var batchesSinceSave = 0
    private var currentEpoch = 0

    /// - Throws: `KerasError.invalidArgument` when the extension does not fit `saveWeightsOnly`
    ///   (`.weights.h5` for weights, `.keras` or `.h5` for models) or the batch count is not positive.
    public init(filepath: String, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
                saveWeightsOnly: Bool = false, mode: MonitorMode = .auto, saveFrequency: SaveFrequency = .epoch,
                initialValueThreshold: Double? = nil) throws {
        if saveWeightsOnly {
            guard filepath.hasSuffix(".weights.h5") else {
                throw KerasError.invalidArgument("When using `saveWeightsOnly: true` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` (Keras weights format). Received: filepath=\(filepath)")
            }
        } else if !filepath.hasSuffix(".keras") && !filepath.hasSuffix(".h5") {
            throw KerasError.invalidArgument("The filepath provided must end in `.keras` (Keras model format). Received: filepath=\(filepath)")
        }
        if case .batches(let n) = saveFrequency, n <= 0 {
            throw KerasError.invalidArgument("ModelCheckpoint: saveFrequency must be .epoch or a positive number of batches, received \(n)")
        }
        self.filepath = filepath
        self.saveBestOnly = saveBestOnly
        self.saveWeightsOnly = saveWeightsOnly
        self.saveFrequency = saveFrequency
        self.verbose = verbose
        super.init(monitor: monitor, mode: mode, baseline: initialValueThreshold)
    }

    public override func onTrainBegin(logs: [String: Double]) throws {
        if saveBestOnly { try resolveDirection() }
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws { currentEpoch = epoch }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        guard case .batches(let n) = saveFrequency else { return }
        batchesSinceSave += 1
        if batchesSinceSave >= n {
            batchesSinceSave = 0
            try save(epoch: currentEpoch, batch: batch, logs: logs)
        }
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        if saveFrequency == .epoch { try save(epoch: epoch, batch: nil, logs: logs) }
    }

    private func save(epoch: Int, batch: Int?, logs: [String: Double]) throws {
        guard let model = model as? Model else { return }
        let path = try Self.format(filepath, epoch: epoch, batch: batch, logs: logs)
        if saveBestOnly {
            guard let current = logs[monitor] else {
                warnMissingMonitor("Can save best model only with \(monitor) available.", logs)
                return
            }
            guard isImprovement(current, over: best) else {
                if verbose > 0 { Callback.printLine("\nEpoch \(epoch + 1): \(monitor) did not improve from \(best.map { String(format: "%.5f", $0) } ?? "inf")") }
                return
            }
            if verbose > 0 {
                Callback.printLine("\nEpoch \(epoch + 1): \(monitor) improved from \(best.map { String(format: "%.5f", $0) } ?? "inf") to \(String(format: "%.5f", current)), saving model to \(path)")
            }
            best = current
        } else if verbose > 0 {
            Callback.printLine("\nEpoch \(epoch + 1): saving model to \(path)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if saveWeightsOnly { try model.saveWeights(to: path) } else { try model.save(to: path) }
    }

    /// Fills `{name}` / `{name:spec}` fields as Python's `str.format` does for the supported
    /// specs (`d` with width and zero fill, `f`/`e`/`g` with precision): `epoch` and `batch`
    /// 1-based, other names from `logs`.
    ///
    /// - Throws: `KerasError.invalidArgument` naming a field that is neither `epoch`, `batch`
    ///   nor a log key, or a spec it cannot apply.
    static func format(_ template: String, epoch: Int, batch: Int?, logs: [String: Double]) throws -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[rest.startIndex..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw KerasError.invalidArgument("ModelCheckpoint filepath \(template): unmatched '{'")
            }
            let field = rest[rest.index(after: open)..<close]
            let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]), spec = parts.count > 1 ? String(parts[1]) : ""
            let value: Double
            var isInt = false
            switch name {
            case "epoch": value = Double(epoch + 1); isInt = true
            case "batch" where batch != nil: value = Double(batch! + 1); isInt = true
            default:
                guard let v = logs[name] else {
                    throw KerasError.invalidArgument("Failed to format this callback filepath: \"\(template)\". Reason: no value for {\(name)}; available: epoch, \(logs.keys.sorted().joined(separator: ", "))")
                }
                value = v
            }
            out += try formatValue(value, isInt: isInt, spec: spec, template: template)
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private static func formatValue(_ value: Double, isInt: Bool, spec: String, template: String) throws -> String {
        if spec.isEmpty { return isInt ? String(Int(value)) : "\(value)" }
        guard let type = spec.last, "dfeg".contains(type),
              spec.dropLast().allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw KerasError.invalidArgument("ModelCheckpoint filepath \(template): unsupported format spec ':\(spec)'")
        }
        if type == "d" {
            guard value == value.rounded(), Swift.abs(value) < 1e15 else {
                throw KerasError.invalidArgument("ModelCheckpoint filepath \(template): ':\(spec)' needs an integer, received \(value)")
            }
            return String(format: "%" + spec.dropLast() + "lld", Int64(value))
        }
        return String(format: "%" + spec, value)
    }
}
