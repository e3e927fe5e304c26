/// Keras 3's `model.summary()` table, as `rich` prints it without a terminal: heavy header box,
/// a line between rows, right-aligned parameter counts with thousands separators, and the
/// Total/Trainable/Non-trainable footer with byte sizes.
///
/// The default width is Keras's default capped at an 80-column console (`min(88, 76)` for
/// sequential-like models, `min(108, 76)` with the "Connected to" column), i.e. what Keras
/// prints into a log file or a pipe.
///
/// `optimizerVariables` (a built optimizer's slots) add Keras's ` Optimizer params:` line and
/// count in the total, as Keras does once the optimizer is built.
///
/// `expandNested` lists each nested model's layers under it (prefixed `└ `, three spaces per
/// level); `showTrainable` adds Keras's centered "Trainable" column (`Y`, `N`, or `-` without weights).
func renderSummary(of model: Model, lineLength: Int?, optimizerVariables: [Variable] = [],
                   expandNested: Bool = false, showTrainable: Bool = false) -> String {
    let graph = model.graph
    let sequentialLike = graph?.isSequentialLike ?? true
    var header = sequentialLike ? ["Layer (type)", "Output Shape", "Param #"]
                                : ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    var alignment: [SummaryTable.Alignment] = sequentialLike ? [.left, .left, .right] : [.left, .left, .right, .left]
    var positions = sequentialLike ? [0.45, 0.80, 1.0] : [0.3, 0.56, 0.74, 1.0]
    var defaultWidth = sequentialLike ? 88 : 108
    if showTrainable {
        defaultWidth += 12
        positions = positions.map { $0 * 0.90 } + [1.0]
        header.append("Trainable")
        alignment.append(.center)
    }
    let width = lineLength ?? Swift.min(defaultWidth, 80 - 4)
    var relevantNodes = Set<ObjectIdentifier>()
    for depthNodes in graph?.nodesByDepth ?? [] {
        for node in depthNodes { relevantNodes.insert(ObjectIdentifier(node)) }
    }

    var rows: [[String]] = []
    func addRows(_ layer: Layer, level: Int) {
        let prefix = level > 0 ? String(repeating: "   ", count: level) + "└ " : ""
        var fields = ["\(prefix)\(layer.name) (\(layer.className))", summaryShape(of: layer), summaryParams(of: layer)]
        if !sequentialLike {
            var connections: [String] = []
            for node in layer.inboundNodes where relevantNodes.isEmpty || relevantNodes.contains(ObjectIdentifier(node)) {
                for t in node.inputs {
                    connections.append("\(t.sourceLayer?.name ?? "?")[\(t.node?.nodeIndex ?? 0)][\(t.tensorIndex)]")
                }
            }
            fields.append(connections.isEmpty ? "-" : connections.joined(separator: ", "))
        }
        if showTrainable { fields.append(layer.weights.isEmpty ? "-" : layer.trainable ? "Y" : "N") }
        rows.append(fields)
        if expandNested, let nested = layer as? Model {
            for inner in nested.layers { addRows(inner, level: level + 1) }
        }
    }
    for layer in model.layers { addRows(layer, level: 0) }

    let trainable = model.trainableWeights
    let nonTrainable = model.nonTrainableWeights
    let trainableCount = trainable.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let nonTrainableCount = nonTrainable.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let trainableBytes = trainable.reduce(0.0) { $0 + Double($1.shape.reduce(1, *) * $1.dtype.byteCount) }
    let nonTrainableBytes = nonTrainable.reduce(0.0) { $0 + Double($1.shape.reduce(1, *) * $1.dtype.byteCount) }

    var out = "Model: \"\(model.name)\"\n"
    out += SummaryTable(header: header, alignment: alignment, positions: positions, lineLength: width).render(rows)
    let optimizerCount = optimizerVariables.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let optimizerBytes = optimizerVariables.reduce(0.0) { $0 + Double($1.shape.reduce(1, *) * $1.dtype.byteCount) }
    out += " Total params: \(groupedThousands(trainableCount + nonTrainableCount + optimizerCount)) (\(readableMemorySize(trainableBytes + nonTrainableBytes + optimizerBytes)))\n"
    out += " Trainable params: \(groupedThousands(trainableCount)) (\(readableMemorySize(trainableBytes)))\n"
    out += " Non-trainable params: \(groupedThousands(nonTrainableCount)) (\(readableMemorySize(nonTrainableBytes)))\n"
    if !optimizerVariables.isEmpty {
        out += " Optimizer params: \(groupedThousands(optimizerCount)) (\(readableMemorySize(optimizerBytes)))\n"
    }
    return out
}

/// Keras's `format_layer_shape`: the last node's output shape, else the shape computed from the
/// build shape, else `?`.
private func summaryShape(of layer: Layer) -> String {
    let shapes: [[Int?]]
    if let node = layer.inboundNodes.last {
        shapes = node.outputs.map(\.shape)
    } else if layer.built, let buildShapes = layer.buildShapes {
        shapes = layer.computeOutputShapes(buildShapes)
    } else {
        return "?"
    }
    if shapes.count == 1 { return formatShape(shapes[0]) }
    return "[" + shapes.map(formatShape).joined(separator: ", ") + "]"
}

private func summaryParams(of layer: Layer) -> String {
    layer.built ? groupedThousands(layer.countParams()) : "0 (unbuilt)"
}

/// `1234567` → `"1,234,567"` (Python's `f"{n:,}"`).
func groupedThousands(_ n: Int) -> String {
    let digits = String(Swift.abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// Keras's `readable_memory_size`: `"{:.2f} {unit}"` with units B…PB at 1024.
func readableMemorySize(_ bytes: Double) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB"]
    var size = bytes
    for unit in units {
        if size / 1024 < 1 { return formatTwoDecimals(size) + " " + unit }
        size /= 1024
    }
    return formatTwoDecimals(size) + " PB"
}

private func formatTwoDecimals(_ x: Double) -> String {
    let cents = (x * 100).rounded(.toNearestOrEven)
    let whole = Int(cents / 100)
    let frac = Int(cents) - whole * 100
    return "\(whole).\(frac < 10 ? "0" : "")\(frac)"
}

extension DType {
    /// Bytes per element.
    var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .bool: 1
        default: 4
        }
    }
}

/// A `rich` table with `show_lines=True` and the HEAVY_HEAD box, sized as rich sizes fixed-width
/// columns in a table of `lineLength` columns.
struct SummaryTable {
    /// How a column's cells are justified (rich's `justify`).
    enum Alignment { case left, right, center }
    let header: [String]
    let alignment: [Alignment]
    /// Interior widths of each column (padding included).
    let widths: [Int]

    init(header: [String], alignment: [Alignment], positions: [Double], lineLength: Int) {
        self.header = header
        self.alignment = alignment
        // Keras: width_i = int(pos_i · line_length) − previous; rich adds one space of padding on
        // each side, then shrinks all columns evenly (ratio_reduce) to fit the table width.
        var requested: [Int] = []
        var current = 0
        for pos in positions {
            let w = Int(pos * Double(lineLength)) - current
            requested.append(w + 2)
            current += w
        }
        let available = lineLength - (positions.count + 1)
        let excess = requested.reduce(0, +) - available
        if excess > 0 {
            var remaining = excess
            var ratioLeft = requested.count
            var reduced: [Int] = []
            for w in requested {
                let share = Swift.min(w, Int((Double(remaining) / Double(ratioLeft)).rounded(.toNearestOrEven)))
                reduced.append(w - share)
                remaining -= share
                ratioLeft -= 1
            }
            widths = reduced
        } else {
            widths = requested
        }
    }

    func render(_ rows: [[String]]) -> String {
        var out = line("┏", "━", "┳", "┓")
        out += cells(header, left: "┃", middle: "┃", right: "┃")
        out += line("┡", "━", "╇", "┩")
        for (i, row) in rows.enumerated() {
            out += cells(row, left: "│", middle: "│", right: "│")
            out += i == rows.count - 1 ? line("└", "─", "┴", "┘") : line("├", "─", "┼", "┤")
        }
        if rows.isEmpty { out += line("└", "─", "┴", "┘") }
        return out
    }

    private func line(_ left: String, _ fill: String, _ cross: String, _ right: String) -> String {
        left + widths.map { String(repeating: fill, count: $0) }.joined(separator: cross) + right + "\n"
    }

    /// One table row; long cells wrap at spaces (or are cut) over several lines.
    private func cells(_ values: [String], left: String, middle: String, right: String) -> String {
        let wrapped = zip(values, widths).map { wrap($0, width: Swift.max(1, $1 - 2)) }
        let height = wrapped.map(\.count).max() ?? 1
        var out = ""
        for lineIndex in 0..<height {
            var parts: [String] = []
            for (col, lines) in wrapped.enumerated() {
                let text = lineIndex < lines.count ? lines[lineIndex] : ""
                let excess = Swift.max(0, widths[col] - 2 - text.count)
                let leftPad: Int
                switch alignment[col] {
                case .left: leftPad = 0
                case .right: leftPad = excess
                case .center: leftPad = excess / 2
                }
                parts.append(" " + String(repeating: " ", count: leftPad) + text
                             + String(repeating: " ", count: excess - leftPad) + " ")
            }
            out += left + parts.joined(separator: middle) + right + "\n"
        }
        return out
    }

    /// Word wrap as rich does for a cell: break at spaces; a word longer than the width is cut
    /// with an ellipsis (rich's default `overflow="ellipsis"`).
    private func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        // Leading spaces (the indentation of nested rows) stay with the first word, as rich keeps them.
        let indent = String(text.prefix { $0 == " " })
        var words = text.split(separator: " ").map(String.init)
        if !words.isEmpty { words[0] = indent + words[0] }
        for word in words {
            let fitted = word.count > width ? String(word.prefix(width - 1)) + "…" : word
            if current.isEmpty {
                current = fitted
            } else if current.count + 1 + fitted.count <= width {
                current += " " + fitted
            } else {
                lines.append(current)
                current = fitted
            }
        }
        lines.append(current)
        return lines
    }
}
