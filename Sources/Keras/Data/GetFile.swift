import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a file into the Keras cache unless it is already there (Keras's `keras.utils.get_file`),
/// and returns its path: `<cacheDir>/<cacheSubdir>/<fname>`, where `cacheDir` defaults to
/// `$KERAS_HOME`, else `~/.keras`.
///
/// - A cached file is reused without any network access; with `fileHash`, a cached file whose
///   hash differs is downloaded again. As in Keras, a 64-digit `fileHash` is a SHA-256 and a
///   32-digit one an MD5.
/// - While downloading, a progress bar is shown (`verbose: 1`); the data goes to `<fname>.part`,
///   which becomes the file only once complete and, with `fileHash`, verified.
/// - A truncated download, an HTTP error or a SHA-256 mismatch deletes what was received and throws.
///
/// ```swift
/// let path = try getFile("mnist.npz",
///                         origin: "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
///                         fileHash: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
/// ```
///
/// - Throws: `KerasError.invalidArgument` for a bad `fname`/`fileHash`/`origin`;
///   `KerasError.unreadableFile` when the download fails and no cached copy exists (offline);
///   `KerasError.corruptFile` for a truncated or mismatching download; `KerasError.unwritableFile`.
@discardableResult
public func getFile(_ fname: String? = nil, origin: String, fileHash: String? = nil, cacheSubdir: String = "datasets",
                    cacheDir: String? = nil, forceDownload: Bool = false, verbose: Int = 1) throws -> String {
    guard let url = URL(string: origin), url.scheme != nil else {
        throw KerasError.invalidArgument("getFile: origin must be a URL, got '\(origin)'")
    }
    let name = fname ?? url.lastPathComponent
    guard !name.isEmpty, name != "/" else {
        throw KerasError.invalidArgument("getFile: can't parse the file name from the origin '\(origin)'; pass fname")
    }
    guard !name.contains("/") else {
        throw KerasError.invalidArgument("getFile: fname must be a file name, not a path (use cacheSubdir/cacheDir), got '\(name)'")
    }
    let hash = fileHash?.lowercased()
    if let hash, ![64, 32].contains(hash.count) || !hash.allSatisfy(\.isHexDigit) {
        throw KerasError.invalidArgument("getFile: fileHash must be a SHA-256 (64 hex digits) or MD5 (32) digest, got '\(fileHash!)'")
    }
    let algorithm = hash?.count == 32 ? "MD5" : "SHA-256"
    func digest(_ path: String) throws -> String { try fileDigest(ofFile: path, md5: algorithm == "MD5") }
    let base = cacheDir.map { ($0 as NSString).expandingTildeInPath } ?? kerasHome()
    let directory = (base as NSString).appendingPathComponent(cacheSubdir)
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
        throw KerasError.unwritableFile(path: directory, reason: "cannot create the cache directory: \(error.localizedDescription)")
    }
    let target = (directory as NSString).appendingPathComponent(name)

    if !forceDownload, FileManager.default.fileExists(atPath: target) {
        guard let hash else { return target }
        if try digest(target) == hash { return target }
        if verbose > 0 {
            Callback.printLine("A local file was found, but it seems to be incomplete or outdated because the \(algorithm == "MD5" ? "md5" : "sha256") file hash does not match the original value of \(hash) so we will re-download the data.")
        }
    }

    if verbose > 0 { Callback.printLine("Downloading data from \(origin)") }
    let partial = target + ".part"
    try? FileManager.default.removeItem(atPath: partial)
    do {
        try download(url, to: partial, verbose: verbose)
        if let hash {
            let actual = try digest(partial)
            guard actual == hash else {
                throw KerasError.corruptFile(file: origin, expected: "\(algorithm) \(hash)",
                                             got: "\(actual): the download is incomplete or corrupted and was deleted")
            }
        }
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: partial, toPath: target)
    } catch {
        try? FileManager.default.removeItem(atPath: partial)
        if let error = error as? KerasError { throw error }
        throw KerasError.unwritableFile(path: target, reason: error.localizedDescription)
    }
    return target
}

/// `$KERAS_HOME`, else `~/.keras` (Keras's `keras_home()`).
func kerasHome() -> String {
    if let home = ProcessInfo.processInfo.environment["KERAS_HOME"], !home.isEmpty {
        return (home as NSString).expandingTildeInPath
    }
    return (NSHomeDirectory() as NSString).appendingPathComponent(".keras")
}

/// The SHA-256 (or MD5) of a file, read in 1 MiB chunks.
func fileDigest(ofFile path: String, md5: Bool = false) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw KerasError.unreadableFile(file: path, reason: "cannot open the file")
    }
    defer { try? handle.close() }
    var sha = SHA256(), md = MD5()
    while true {
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty { break }
        if md5 { md.update([UInt8](chunk)) } else { sha.update([UInt8](chunk)) }
    }
    return md5 ? md.hexDigest() : sha.hexDigest()
}

/// Fetches `url` into `path`, with a progress bar fed from the task's byte counts; throws on
/// HTTP errors, network errors and bodies shorter than their announced length.
private func download(_ url: URL, to path: String, verbose: Int) throws {
    let origin = url.absoluteString
    let done = DispatchSemaphore(value: 0)
    let result = DownloadResult()
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let task = session.dataTask(with: url) { data, response, error in
        result.set(data: data, response: response, error: error)
        done.signal()
    }
    task.resume()
    var progbar: Progbar?
    while done.wait(timeout: .now() + 0.1) == .timedOut {
        let expected = task.countOfBytesExpectedToReceive
        if verbose > 0, task.countOfBytesReceived > 0 {
            if progbar == nil { progbar = Progbar(target: expected > 0 ? Int(expected) : nil, verbose: verbose) }
            progbar?.update(Int(task.countOfBytesReceived))
        }
    }
    let (data, response, error) = result.get()
    let status = (response as? HTTPURLResponse)?.statusCode
    if let status, !(200..<300).contains(status) {
        throw KerasError.unreadableFile(file: origin, reason: "URL fetch failure: HTTP status \(status)")
    }
    let received = data?.count ?? 0
    if let response, response.expectedContentLength >= 0, received < Int(response.expectedContentLength) {
        throw KerasError.corruptFile(file: origin, expected: "\(response.expectedContentLength) bytes",
                                     got: "\(received) bytes: the download was truncated and was deleted")
    }
    if let error {
        throw KerasError.unreadableFile(file: origin, reason: "URL fetch failure: \(error.localizedDescription) (no cached copy; connect to the network, or place the file in the cache)")
    }
    if verbose > 0 {
        if progbar == nil { progbar = Progbar(target: received, verbose: verbose) }
        progbar?.update(received, finalize: true)
    }
    guard FileManager.default.createFile(atPath: path, contents: data ?? Data()) else {
        throw KerasError.unwritableFile(path: path, reason: "cannot write the downloaded file")
    }
}

/// The completion handler's results, handed from URLSession's thread to the caller.
private final class DownloadResult: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, URLResponse?, Error?) = (nil, nil, nil)
    func set(data: Data?, response: URLResponse?, error: Error?) { lock.withLock { value = (data, response, error) } }
    func get() -> (Data?, URLResponse?, Error?) { lock.withLock { value } }
}
