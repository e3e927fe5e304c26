import Keras

/// The values of one model input sent in a request: a row-major array with its shape (batch
/// axis first), already checked against the model's ``TensorSpec``.
struct InputArray: Sendable {
    var shape: [Int]
    var values: [Double]

    /// The shape of one row (everything after the batch axis).
    var rowShape: ArraySlice<Int> { shape.dropFirst() }
}

/// A decoded `:predict` request (TF Serving's REST API): the row format `{"instances": [...]}`
/// or the columnar format `{"inputs": ...}`, with one ``InputArray`` per model input, in the
/// model's input order.
///
/// ```swift
/// let request = try PredictRequest(body: try JSONValue.parse(bytes), signature: signature)
/// request.rows   // the batch size of this request
/// ```
struct PredictRequest: Sendable {
    enum Format: Sendable { case row, columnar }

    var format: Format
    var inputs: [InputArray]
    var rows: Int { inputs.first?.shape.first ?? 0 }

    init(body: JSONValue, signature: ModelSignature) throws(ServingError) {
        guard case .object = body else {
            throw .invalidArgument("The request body must be a JSON object with \"instances\" or \"inputs\", received \(body.kindName)")
        }
        if let name = body["signature_name"], name != .string("serving_default"), name != .string("") {
            let shown = if case .string(let text) = name { "\"\(text)\"" } else { name.kindName }
            throw .invalidArgument("Serving signature name: \(shown) not found in signature def; Keras models have \"serving_default\"")
        }
        let instances = body["instances"], columns = body["inputs"]
        switch (instances, columns) {
        case (.some, .some):
            throw .invalidArgument("Request body may contain only one of \"instances\" (row format) or \"inputs\" (columnar format), not both")
        case (.none, .none):
            throw .invalidArgument("Missing \"instances\" or \"inputs\" key in the request body")
        case (.some(let value), .none):
            format = .row
            inputs = try Self.decodeRows(value, signature: signature)
        case (.none, .some(let value)):
            format = .columnar
            inputs = try Self.decodeColumns(value, signature: signature)
        }
        let batch = inputs[0].shape.first ?? 0
        guard batch > 0 else { throw .invalidArgument("The request has no instances (batch size 0)") }
        for (spec, input) in zip(signature.inputs, inputs) where input.shape.first != batch {
            throw .invalidArgument("Input \"\(spec.name)\" has batch size \(input.shape.first ?? 0), but input \"\(signature.inputs[0].name)\" has \(batch); every input needs the same number of rows")
        }
    }

    /// `{"instances": [row, row, …]}`: each row is the tensor of a single-input model, or an
    /// object naming every input.
    private static func decodeRows(_ value: JSONValue, signature: ModelSignature) throws(ServingError) -> [InputArray] {
        guard case .array(let rows) = value else {
            throw .invalidArgument("\"instances\" must be a list of instances, received \(value.kindName)")
        }
        guard !rows.isEmpty else { throw .invalidArgument("\"instances\" is an empty list") }
        let named = rows.contains { if case .object = $0 { true } else { false } }
        guard named || signature.inputs.count == 1 else {
            throw .invalidArgument("The model has \(signature.inputs.count) inputs (\(signature.inputs.map(\.name).joined(separator: ", "))); each instance must be an object naming them")
        }
        if !named { return [try flatten(value, spec: signature.inputs[0])] }
        var columns = [[JSONValue]](repeating: [], count: signature.inputs.count)
        for (i, row) in rows.enumerated() {
            guard case .object(let members) = row else {
                throw .invalidArgument("Instance \(i) is \(row.kindName), but other instances are objects naming the inputs; all instances must have the same form")
            }
            try checkNames(members.map(\.0), signature: signature, where: "instance \(i)")
            for (j, spec) in signature.inputs.enumerated() { columns[j].append(row[spec.name]!) }
        }
        return try zip(signature.inputs, columns).map { (spec, column) throws(ServingError) in try flatten(.array(column), spec: spec) }
    }

    /// `{"inputs": tensor}` for a single-input model or `{"inputs": {"name": tensor, …}}`.
    private static func decodeColumns(_ value: JSONValue, signature: ModelSignature) throws(ServingError) -> [InputArray] {
        if case .object(let members) = value {
            try checkNames(members.map(\.0), signature: signature, where: "\"inputs\"")
            return try signature.inputs.map { (spec) throws(ServingError) in try flatten(value[spec.name]!, spec: spec) }
        }
        guard signature.inputs.count == 1 else {
            throw .invalidArgument("The model has \(signature.inputs.count) inputs (\(signature.inputs.map(\.name).joined(separator: ", "))); \"inputs\" must be an object naming them")
        }
        return [try flatten(value, spec: signature.inputs[0])]
    }

    private static func checkNames(_ names: [String], signature: ModelSignature, where place: String) throws(ServingError) {
        let expected = signature.inputs.map(\.name)
        for name in names where !expected.contains(name) {
            throw .invalidArgument("Unknown input \"\(name)\" in \(place); the model's inputs are \(expected.joined(separator: ", "))")
        }
        for name in expected where !names.contains(name) {
            throw .invalidArgument("Missing input \"\(name)\" in \(place); the model's inputs are \(expected.joined(separator: ", "))")
        }
    }

    /// A rectangular nested list of values of `spec.dtype`, checked against `spec.shape`.
    static func flatten(_ value: JSONValue, spec: TensorSpec) throws(ServingError) -> InputArray {
        var shape: [Int] = []
        var probe = value
        while case .array(let elements) = probe {
            shape.append(elements.count)
            guard let first = elements.first else { break }
            probe = first
        }
        if shape.count > 1, let axis = shape.dropFirst().firstIndex(of: 0) {
            throw .invalidArgument("Input \"\(spec.name)\" has an empty list on axis \(axis) (shape \(shape)); every axis needs at least one value")
        }
        if !spec.shape.isEmpty && shape.count != spec.shape.count {
            throw .invalidArgument("Input \"\(spec.name)\" expects a batch of shape \(spec.shapeText) (rank \(spec.shape.count)), received a value of rank \(shape.count) with shape \(shape)")
        }
        for (axis, (expected, got)) in zip(spec.shape, shape).enumerated() where axis > 0 {
            if let expected, expected != got {
                throw .invalidArgument("Input \"\(spec.name)\" expects shape \(spec.shapeText), received shape \(shape) (axis \(axis) is \(got), expected \(expected))")
            }
        }
        let count = shape.reduce(1, *)
        var values: [Double] = []
        values.reserveCapacity(count)
        try collect(value, depth: 0, shape: shape, spec: spec, into: &values, path: [])
        return InputArray(shape: shape, values: values)
    }

    private static func collect(_ value: JSONValue, depth: Int, shape: [Int], spec: TensorSpec,
                                into values: inout [Double], path: [Int]) throws(ServingError) {
        if depth == shape.count {
            values.append(try scalar(value, spec: spec, path: path, last: nil))
            return
        }
        guard case .array(let elements) = value else {
            throw .invalidArgument("Ragged list in input \"\(spec.name)\": element \(indexText(path)) is \(value.kindName), expected a list of \(shape[depth]) (shape \(shape))")
        }
        guard elements.count == shape[depth] else {
            throw .invalidArgument("Ragged list in input \"\(spec.name)\": element \(indexText(path)) has \(elements.count) entries, expected \(shape[depth]) (shape \(shape))")
        }
        if depth + 1 == shape.count {
            for (i, element) in elements.enumerated() {
                values.append(try scalar(element, spec: spec, path: path, last: i))
            }
        } else {
            for (i, element) in elements.enumerated() {
                try collect(element, depth: depth + 1, shape: shape, spec: spec, into: &values, path: path + [i])
            }
        }
    }

    /// One element; `last` is its index in the innermost list (the path is only built for errors).
    private static func scalar(_ value: JSONValue, spec: TensorSpec, path: [Int], last: Int?) throws(ServingError) -> Double {
        @inline(never) func position() -> String { indexText(path + (last.map { [$0] } ?? [])) }
        if let limit = spec.idLimit, case .number(let x) = value, !(x >= 0 && x < Double(limit)) {
            throw .invalidArgument("Input \"\(spec.name)\" element \(position()) = \(x) is not an id in [0, \(limit)) of the Embedding it feeds")
        }
        switch (value, spec.dtype) {
        case (.number(let x), .float32):
            guard abs(x) <= Double(Float.greatestFiniteMagnitude) else {
                throw .invalidArgument("Input \"\(spec.name)\" element \(position()) = \(x) is out of the range of float32")
            }
            return x
        case (.number(let x), .float64):
            return x
        case (.number(let x), .int32), (.number(let x), .int64):
            let limit = spec.dtype == .int32 ? Double(Int32.max) : 9.007199254740992e15
            guard x == x.rounded(), abs(x) <= limit else {
                throw .invalidArgument("Input \"\(spec.name)\" (\(spec.dtype)) element \(position()) = \(x) is not an \(spec.dtype) value")
            }
            return x
        case (.bool(let b), .bool):
            return b ? 1 : 0
        case (.array, _):
            throw .invalidArgument("Ragged list in input \"\(spec.name)\": element \(position()) is a list where a number was expected")
        default:
            throw .invalidArgument("Input \"\(spec.name)\" (\(spec.dtype)) element \(position()) is \(value.kindName), expected \(spec.dtype == .bool ? "true or false" : "a number")")
        }
    }

    private static func indexText(_ path: [Int]) -> String {
        path.isEmpty ? "[]" : path.map { "[\($0)]" }.joined()
    }
}
