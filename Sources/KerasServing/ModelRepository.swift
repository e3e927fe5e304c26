import Foundation
import Keras
import Logging

/// Where a server finds its models.
///
/// ```swift
/// let single = ModelSource.file("mlp.keras", name: "mlp")      // version 1
/// let many = ModelSource.directory("/models")                  // /models/<name>/<version>/model.keras
/// ```
public enum ModelSource: Sendable, Equatable {
    /// One `.keras` (or legacy `.h5`) file, served as version 1 of `name`.
    case file(String, name: String)
    /// TF Serving's layout, `<base>/<name>/<version>/model.keras`, polled for new versions.
    case directory(String)
    /// One model's versions, `<base>/<version>/model.keras`, served as `name`.
    case versions(String, name: String)

    /// The source for a path given on the command line: a file, a directory of versions (numeric
    /// subdirectories) or a directory of models. `name` defaults to the file or folder stem.
    ///
    /// - Throws: ``ServingError`` when the path does not exist.
    public static func detect(_ path: String, name: String?) throws(ServingError) -> ModelSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .notFound("No model file or directory at \(path)")
        }
        let url = URL(fileURLWithPath: path)
        if !isDirectory.boolValue {
            var stem = url.lastPathComponent
            for suffix in [".keras", ".h5"] where stem.hasSuffix(suffix) { stem = String(stem.dropLast(suffix.count)) }
            return .file(path, name: name ?? stem)
        }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if children.contains(where: { Int64($0) != nil }) {
            return .versions(path, name: name ?? url.lastPathComponent)
        }
        return .directory(path)
    }
}

/// The state of one version, as `GET /v1/models/{name}` reports it.
public struct VersionStatus: Sendable, Equatable {
    /// The version number (the folder name).
    public var version: Int64
    /// `AVAILABLE`, or `END` for a version that failed to load.
    public var state: String
    /// Empty when available; the load error otherwise.
    public var errorMessage: String
}

/// The models a server answers for, loaded from a ``ModelSource``; ``poll()`` loads versions
/// added since (TF Serving's file-system polling). A version that fails to load is reported
/// and never replaces a working one; versions removed from disk are unloaded.
final class ModelRepository: @unchecked Sendable {
    let source: ModelSource
    let batching: BatchingOptions
    let logger: Logger
    let metrics: ServingMetrics

    private enum Entry {
        case available(ServedModel, stamp: FileStamp)
        case failed(String, stamp: FileStamp)
    }
    private struct FileStamp: Equatable { var size: UInt64; var modified: Date }

    private let lock = NSLock()
    private var models: [String: [Int64: Entry]] = [:]

    init(source: ModelSource, batching: BatchingOptions, logger: Logger, metrics: ServingMetrics) {
        self.source = source
        self.batching = batching
        self.logger = logger
        self.metrics = metrics
    }

    /// The model files the source holds now: name → version → path.
    private func scan() -> [String: [Int64: String]] {
        let files = FileManager.default
        func versions(in directory: String) -> [Int64: String] {
            var found: [Int64: String] = [:]
            for child in (try? files.contentsOfDirectory(atPath: directory)) ?? [] {
                guard let version = Int64(child), version >= 0 else { continue }
                let folder = directory + "/" + child
                for file in ["model.keras", "model.h5"] where files.fileExists(atPath: folder + "/" + file) {
                    found[version] = folder + "/" + file
                    break
                }
            }
            return found
        }
        switch source {
        case .file(let path, let name):
            return [name: [1: path]]
        case .versions(let path, let name):
            return [name: versions(in: path)]
        case .directory(let base):
            var result: [String: [Int64: String]] = [:]
            for child in (try? files.contentsOfDirectory(atPath: base)) ?? [] where !child.hasPrefix(".") {
                var isDirectory: ObjCBool = false
                guard files.fileExists(atPath: base + "/" + child, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                result[child] = versions(in: base + "/" + child)
            }
            return result
        }
    }

    private func stamp(_ path: String) -> FileStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return FileStamp(size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
                         modified: attributes[.modificationDate] as? Date ?? .distantPast)
    }

    /// Loads new versions (and retries failed ones whose file changed), unloads removed ones.
    /// Returns the number of versions loaded by this call.
    @discardableResult
    func poll() -> Int {
        let onDisk = scan()
        var loaded = 0
        for (name, versions) in onDisk.sorted(by: { $0.key < $1.key }) {
            for (version, path) in versions.sorted(by: { $0.key < $1.key }) {
                guard let stamp = stamp(path) else { continue }
                let existing = lock.withLock { models[name]?[version] }
                switch existing {
                case .available: continue
                case .failed(_, let old) where old == stamp: continue
                default: break
                }
                let entry: Entry
                do {
                    let model = try loadModel(path, compile: false)
                    let served = ServedModel(name: name, version: version, model: model, batching: batching) { [metrics] rows in
                        metrics.recordBatch(model: name, rows: rows)
                    }
                    entry = .available(served, stamp: stamp)
                    loaded += 1
                    logger.info("loaded model", metadata: ["model": "\(name)", "version": "\(version)", "path": "\(path)",
                                                           "inputs": "\(served.signature.inputs.map { "\($0.name)\($0.shapeText)" })"])
                } catch {
                    entry = .failed(String(describing: error), stamp: stamp)
                    logger.error("failed to load model version; it is not served", metadata: [
                        "model": "\(name)", "version": "\(version)", "path": "\(path)", "error": "\(error)"])
                }
                lock.withLock { models[name, default: [:]][version] = entry }
            }
        }
        // Versions gone from disk are unloaded (their queued requests still finish).
        let removed: [ServedModel] = lock.withLock {
            var gone: [ServedModel] = []
            for (name, versions) in models {
                for (version, entry) in versions where onDisk[name]?[version] == nil {
                    if case .available(let served, _) = entry { gone.append(served) }
                    models[name]![version] = nil
                }
                if models[name]!.isEmpty { models[name] = nil }
            }
            return gone
        }
        for served in removed {
            served.batcher.stop()
            logger.info("unloaded model version removed from disk", metadata: ["model": "\(served.name)", "version": "\(served.version)"])
        }
        metrics.setLoadedVersions(lock.withLock { models.values.reduce(0) { $0 + $1.values.filter { if case .available = $0 { true } else { false } }.count } })
        return loaded
    }

    /// The model to answer with: `version`, or the newest available version.
    func model(_ name: String, version: Int64?) throws(ServingError) -> ServedModel {
        let versions = lock.withLock { models[name] }
        guard let versions, !versions.isEmpty else {
            throw .notFound(version.map { "Servable not found for request: Specific(\(name), \($0))" } ?? "Servable not found for request: Latest(\(name))")
        }
        if let version {
            switch versions[version] {
            case .available(let served, _): return served
            case .failed(let message, _):
                throw .notFound("Servable not found for request: Specific(\(name), \(version)); the version failed to load: \(message)")
            case nil:
                throw .notFound("Servable not found for request: Specific(\(name), \(version))")
            }
        }
        for key in versions.keys.sorted(by: >) {
            if case .available(let served, _) = versions[key]! { return served }
        }
        throw .notFound("Servable not found for request: Latest(\(name)); no version of it loaded")
    }

    /// Every known version of `name` (or just `version`), newest first.
    func status(_ name: String, version: Int64?) throws(ServingError) -> [VersionStatus] {
        let versions = lock.withLock { models[name] } ?? [:]
        var result: [VersionStatus] = []
        for (key, entry) in versions.sorted(by: { $0.key > $1.key }) where version == nil || version == key {
            switch entry {
            case .available: result.append(VersionStatus(version: key, state: "AVAILABLE", errorMessage: ""))
            case .failed(let message, _): result.append(VersionStatus(version: key, state: "END", errorMessage: message))
            }
        }
        guard !result.isEmpty else {
            throw .notFound(version.map { "Could not find version \($0) of model \(name)" } ?? "Could not find any versions of model \(name)")
        }
        return result
    }

    /// Names of the models with at least one known version.
    var modelNames: [String] { lock.withLock { models.keys.sorted() } }

    /// Stops every batcher and waits for queued requests to finish.
    func shutdown() async {
        let all: [ServedModel] = lock.withLock {
            models.values.flatMap { $0.values.compactMap { if case .available(let s, _) = $0 { s } else { nil } } }
        }
        for served in all { served.batcher.stop() }
        for served in all { await served.batcher.waitUntilFinished() }
    }
}
