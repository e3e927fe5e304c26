import Foundation
import KerasCore

/// The Graphviz DOT description of a model (Keras's `keras.utils.model_to_dot`): one node per
/// layer, drawn as Keras draws it (an HTML table: a black title row with the layer name and class,
/// then optional shape, dtype and trainable cells), and an edge per connection.
///
/// Sequential models chain their layers; functional models follow their graph (input layers
/// included); other subclassed models are a single node. With `expandNested`, nested models become
/// dashed clusters and edges reach their inner layers.
///
/// ```swift
/// let dot = try modelToDot(model, showShapes: true, rankdir: "LR")
/// try dot.write(toFile: "model.dot", atomically: true, encoding: .utf8)
/// ```
///
/// - Parameters:
///   - model: the built model to draw.
///   - showShapes: add "Input shape" and "Output shape" cells.
///   - showDtype: add an "Output dtype" cell.
///   - showLayerNames: title "name (Class)" instead of just the class.
///   - rankdir: `"TB"` (top to bottom), `"LR"`, `"BT"` or `"RL"`.
///   - expandNested: draw nested models' layers inside clusters.
///   - dpi: the resolution Graphviz renders bitmaps at.
///   - showTrainable: add a green "Trainable" / red "Non-trainable" cell to layers with weights.
///   - splines: Graphviz edge style (`"ortho"`, `"curved"`, `"polyline"`, `"spline"`, `"line"`).
/// - Throws: `KerasError.invalidArgument` for an unbuilt model or an unknown `rankdir`.
public func modelToDot(_ model: Model, showShapes: Bool = false, showDtype: Bool = false,
                       showLayerNames: Bool = true, rankdir: String = "TB", expandNested: Bool = false,
                       dpi: Int = 200, showTrainable: Bool = false, splines: String = "ortho") throws -> String {
    guard model.built else {
        throw KerasError.invalidArgument("This model has not yet been built. Build the model first by calling `build()` or by calling the model on a batch of data.")
    }
    guard ["TB", "LR", "BT", "RL"].contains(rankdir) else {
        throw KerasError.invalidArgument("modelToDot: rankdir must be \"TB\", \"LR\", \"BT\" or \"RL\", got \"\(rankdir)\"")
    }
    guard dpi > 0 else { throw KerasError.invalidArgument("modelToDot: dpi must be positive, got \(dpi)") }
    let builder = DotBuilder(options: .init(showShapes: showShapes, showDtype: showDtype, showLayerNames: showLayerNames,
                                            showTrainable: showTrainable), expandNested: expandNested)
    var out = "digraph G {\n"
    out += "rankdir=\(rankdir);\nconcentrate=true;\ndpi=\(dpi);\nsplines=\(splines);\nnode [shape=record];\n"
    out += builder.body(of: model, indent: "")
    out += "}\n"
    return out
}

/// Draws a model to an image (Keras's `keras.utils.plot_model`): `.dot` files are written
/// directly; every other extension (`.png`, `.svg`, `.pdf`, …, or none for PNG) is rendered by
/// Graphviz's `dot` program, which must be installed (`sudo apt-get install graphviz`).
///
/// ```swift
/// try plotModel(model, to: "model.png", showShapes: true)
/// try plotModel(model, to: "model.svg", rankdir: "LR", expandNested: true)
/// ```
///
/// The options are ``modelToDot(_:showShapes:showDtype:showLayerNames:rankdir:expandNested:dpi:showTrainable:splines:)``'s;
/// as in Keras, `showLayerNames` defaults to `false` here.
/// - Throws: `KerasError.unsupported` when `dot` is not installed or fails, `KerasError.unwritableFile`.
public func plotModel(_ model: Model, to file: String = "model.png", showShapes: Bool = false, showDtype: Bool = false,
                      showLayerNames: Bool = false, rankdir: String = "TB", expandNested: Bool = false, dpi: Int = 200,
                      showTrainable: Bool = false, splines: String = "ortho") throws {
    let dot = try modelToDot(model, showShapes: showShapes, showDtype: showDtype, showLayerNames: showLayerNames,
                             rankdir: rankdir, expandNested: expandNested, dpi: dpi, showTrainable: showTrainable,
                             splines: splines)
    let ext = (file as NSString).pathExtension.lowercased()
    if ext == "dot" || ext == "gv" {
        do { try dot.write(toFile: file, atomically: true, encoding: .utf8) } catch {
            throw KerasError.unwritableFile(path: file, reason: error.localizedDescription)
        }
        return
    }
    try Graphviz.render(dot, format: ext.isEmpty ? "png" : ext, to: file, caller: "plotModel")
}

/// Runs Graphviz's `dot` program.
enum Graphviz {
    /// The `dot` executable on `PATH`, or nil.
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func render(_ source: String, format: String, to file: String, caller: String) throws {
        guard let dot = executable else {
            throw KerasError.unsupported(component: caller, reason: "Graphviz's `dot` program was not found on PATH; install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`), or write a `.dot` file instead")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-T\(format)", "-o", file]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch {
            throw KerasError.unsupported(component: caller, reason: "could not run \(dot): \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(source.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KerasError.unsupported(component: caller, reason: "Graphviz `dot -T\(format)` failed writing '\(file)': \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

/// Builds the nodes, clusters and edges of ``modelToDot(_:showShapes:showDtype:showLayerNames:rankdir:expandNested:dpi:showTrainable:splines:)``.
private final class DotBuilder {
    struct Options { var showShapes, showDtype, showLayerNames, showTrainable: Bool }
    let options: Options
    let expandNested: Bool
    private var ids: [ObjectIdentifier: String] = [:]
    private var edges = Set<String>()

    init(options: Options, expandNested: Bool) {
        self.options = options
        self.expandNested = expandNested
    }

    private var usedIDs = Set<String>()

    /// The layer's node id: its quoted name (Keras uses `id(layer)`; names are readable and stable),
    /// with a `#n` suffix should two nested layers share a name.
    private func id(_ layer: Layer) -> String {
        if let id = ids[ObjectIdentifier(layer)] { return id }
        var id = quoted(layer.name), n = 1
        while usedIDs.contains(id) { n += 1; id = quoted("\(layer.name)#\(n)") }
        usedIDs.insert(id)
        ids[ObjectIdentifier(layer)] = id
        return id
    }

    private func edge(_ source: Layer, _ destination: Layer, indent: String) -> String {
        let key = id(source) + " -> " + id(destination)
        guard edges.insert(key).inserted else { return "" }
        return indent + key + " [penwidth=2];\n"
    }

    private func isNestedModel(_ layer: Layer) -> Bool {
        guard let model = layer as? Model else { return false }
        return model is Sequential || model.graph != nil
    }

    /// The nodes and edges of `model` (a cluster's contents when nested).
    func body(of model: Model, indent: String) -> String {
        var out = ""
        let layers: [Layer]
        if model is Sequential || model.graph != nil {
            layers = model.layers
        } else {
            return out + node(model, indent: indent)
        }
        for layer in layers {
            if expandNested, let nested = layer as? Model, isNestedModel(nested) {
                out += indent + "subgraph \(quoted("cluster_" + nested.name)) {\n"
                out += indent + "  style=dashed;\n" + indent + "  label=\(quoted(nested.name));\n" + indent + "  labeljust=l;\n"
                out += body(of: nested, indent: indent + "  ")
                out += indent + "}\n"
            } else {
                out += node(layer, indent: indent)
            }
        }
        if model is Sequential {
            for (a, b) in zip(layers, layers.dropFirst()) {
                out += edge(expandNested ? lastLayer(of: a) : a, expandNested ? firstLayer(of: b, inputIndex: 0) : b, indent: indent)
            }
            return out
        }
        let graphNodes = Set((model.graph?.nodesByDepth ?? []).joined().map(ObjectIdentifier.init))
        for layer in layers {
            for node in layer.inboundNodes where graphNodes.contains(ObjectIdentifier(node)) {
                for (inputIndex, tensor) in node.inputs.enumerated() {
                    guard let source = tensor.sourceLayer else { continue }
                    if !expandNested {
                        out += edge(source, layer, indent: indent)
                    } else {
                        out += edge(lastLayer(of: source, outputIndex: tensor.tensorIndex),
                                    firstLayer(of: layer, inputIndex: inputIndex), indent: indent)
                    }
                }
            }
        }
        return out
    }

    /// The layer producing output `outputIndex` of a nested model (the layer itself otherwise).
    private func lastLayer(of layer: Layer, outputIndex: Int = 0) -> Layer {
        guard let model = layer as? Model, isNestedModel(model) else { return layer }
        if let sequential = model as? Sequential, let last = sequential.layers.last { return lastLayer(of: last) }
        let outputs = model.outputs
        guard outputs.indices.contains(outputIndex), let source = outputs[outputIndex].sourceLayer else { return layer }
        return lastLayer(of: source, outputIndex: outputs[outputIndex].tensorIndex)
    }

    /// The layer receiving input `inputIndex` of a nested model (the layer itself otherwise).
    private func firstLayer(of layer: Layer, inputIndex: Int) -> Layer {
        guard let model = layer as? Model, isNestedModel(model) else { return layer }
        if let sequential = model as? Sequential, let first = sequential.layers.first { return firstLayer(of: first, inputIndex: 0) }
        let inputs = model.inputs
        guard inputs.indices.contains(inputIndex), let source = inputs[inputIndex].sourceLayer else { return layer }
        return source
    }

    private func node(_ layer: Layer, indent: String) -> String {
        indent + id(layer) + " [label=" + label(layer) + ", fontname=Helvetica, border=0, margin=0];\n"
    }

    /// Keras's `make_layer_label` HTML table.
    private func label(_ layer: Layer) -> String {
        var cells: [String] = []
        if options.showShapes {
            let (inputs, outputs) = shapes(of: layer)
            if !(layer is InputLayer) {
                cells.append("<td bgcolor=\"white\"><font point-size=\"14\">Input shape: <b>\(escape(inputs))</b></font></td>")
            }
            cells.append("<td bgcolor=\"white\"><font point-size=\"14\">Output shape: <b>\(escape(outputs))</b></font></td>")
        }
        if options.showDtype {
            cells.append("<td bgcolor=\"white\"><font point-size=\"14\">Output dtype: <b>\(escape(dtype(of: layer)))</b></font></td>")
        }
        if options.showTrainable, !layer.weights.isEmpty {
            cells.append(layer.trainable
                ? "<td bgcolor=\"forestgreen\"><font point-size=\"14\" color=\"white\"><b>Trainable</b></font></td>"
                : "<td bgcolor=\"firebrick\"><font point-size=\"14\" color=\"white\"><b>Non-trainable</b></font></td>")
        }
        let colspan = max(1, (options.showDtype ? 1 : 0) + (options.showTrainable ? 1 : 0) + (options.showShapes ? 2 : 0))
        let title = options.showLayerNames ? "<b>\(escape(layer.name))</b> (\(layer.className))" : "<b>\(layer.className)</b>"
        var table = "<<table border=\"0\" cellborder=\"1\" bgcolor=\"black\" cellpadding=\"10\">"
        table += "<tr><td colspan=\"\(colspan)\" bgcolor=\"black\"><font point-size=\"16\" color=\"white\">\(title)</font></td></tr>"
        if !cells.isEmpty { table += "<tr>" + cells.joined() + "</tr>" }
        return table + "</table>>"
    }

    /// Keras's `layer.input`/`layer.output` shapes (first call), as Python prints them.
    private func shapes(of layer: Layer) -> (String, String) {
        func text(_ shapes: [[Int?]]) -> String {
            shapes.count == 1 ? formatShape(shapes[0]) : "[" + shapes.map(formatShape).joined(separator: ", ") + "]"
        }
        if let node = layer.inboundNodes.first {
            return (text(node.inputs.map(\.shape)), text(node.outputs.map(\.shape)))
        }
        if let input = layer as? InputLayer { return ("?", text([input.outputTensor.shape])) }
        if layer.built, let buildShapes = layer.buildShapes {
            return (text(buildShapes), text(layer.computeOutputShapes(buildShapes)))
        }
        return ("?", "?")
    }

    private func dtype(of layer: Layer) -> String {
        if let node = layer.inboundNodes.first {
            let dtypes = node.outputs.map { $0.dtype.rawValue }
            return dtypes.count == 1 ? dtypes[0] : "[" + dtypes.map { "'\($0)'" }.joined(separator: ", ") + "]"
        }
        if let input = layer as? InputLayer { return input.outputTensor.dtype.rawValue }
        return layer.built ? layer.dtype.rawValue : "?"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
