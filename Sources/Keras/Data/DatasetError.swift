/// An error reading training data from outside the program: dataset files, or samples handed to a
/// ``Dataset`` that do not fit together. Every case names what was expected and what was found.
///
/// ```swift
/// do { _ = try Datasets.loadIDX(directory: "/data/fashion") }
/// catch let error as DatasetError { print(error) }   // names the file, expected and got
/// ```
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// A file's bytes are not what the format requires (bad gzip stream, wrong IDX magic, short data).
    case corrupt(file: String, expected: String, got: String)
    /// Arrays handed in together disagree (sample counts, shapes).
    case mismatch(expected: String, got: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "DatasetError: cannot read '\(file)': \(reason)"
        case let .corrupt(file, expected, got):
            return "DatasetError: '\(file)' is corrupt: expected \(expected), got \(got)"
        case let .mismatch(expected, got):
            return "DatasetError: expected \(expected), got \(got)"
        }
    }
}
