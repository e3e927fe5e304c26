import Hummingbird
import Keras

/// A failed request, with the HTTP status TensorFlow Serving answers for it; the REST API sends
/// it as `{"error": "<message>"}`.
///
/// ```swift
/// throw ServingError.notFound("Servable not found for request: Latest(mlp)")
/// ```
public struct ServingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TensorFlow Serving's error codes (a subset of `absl::StatusCode`), with their HTTP status.
    public enum Code: String, Sendable {
        /// 400: the request is malformed or does not fit the model.
        case invalidArgument = "INVALID_ARGUMENT"
        /// 404: no such model, version or endpoint.
        case notFound = "NOT_FOUND"
        /// 408: the request did not finish within the per-request timeout.
        case deadlineExceeded = "DEADLINE_EXCEEDED"
        /// 413: the request body is larger than the server accepts.
        case resourceExhausted = "RESOURCE_EXHAUSTED"
        /// 405: the endpoint exists, not for this HTTP method.
        case methodNotAllowed = "METHOD_NOT_ALLOWED"
        /// 501: an API TensorFlow Serving has that this server does not (classify, regress).
        case unimplemented = "UNIMPLEMENTED"
        /// 503: the server is shutting down or its queue is full.
        case unavailable = "UNAVAILABLE"
        /// 500: the model failed while computing.
        case internalError = "INTERNAL"
    }

    /// The `code` this `ServingError` was created with.
    public let code: Code
    /// The `message` this `ServingError` was created with.
    public let message: String

    /// An error with TF Serving's status `code` and a message for the client.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A 400 error: the request is malformed or does not fit the model.
    public static func invalidArgument(_ message: String) -> ServingError { ServingError(.invalidArgument, message) }
    /// A 404 error: no such model or version.
    public static func notFound(_ message: String) -> ServingError { ServingError(.notFound, message) }

    /// The HTTP status sent with the error.
    public var status: HTTPResponse.Status {
        switch code {
        case .invalidArgument: .badRequest
        case .notFound: .notFound
        case .deadlineExceeded: .requestTimeout
        case .resourceExhausted: .contentTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .unimplemented: .notImplemented
        case .unavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    /// A readable description, as `print` shows it.
    public var description: String { "\(code.rawValue): \(message)" }

    /// A Keras error raised by the model for a request's data is the request's fault (400); any
    /// other error is the server's (500).
    static func from(_ error: any Error) -> ServingError {
        switch error {
        case let error as ServingError: error
        case let error as KerasError:
            switch error {
            case .incompatibleInput, .invalidArgument, .invalidData: .invalidArgument(error.description)
            default: ServingError(.internalError, error.description)
            }
        case is CancellationError: ServingError(.unavailable, "the request was cancelled")
        default: ServingError(.internalError, String(describing: error))
        }
    }
}
