import Foundation

/// `keras-bench <workload>`: prints one line per figure, `<workload> <figure>: <number> <unit>`.
/// Build in release: `swift run -c release keras-bench gemm`.

/// Every workload the tool knows, by name. A new workload is one file defining a `Workload` value
/// plus one entry here.
let workloads: [Workload] = [
    gemmWorkload, opsWorkload, mlpWorkload, cnnWorkload, lstmWorkload, gruWorkload, transformerWorkload, savingWorkload,
    optimizersWorkload, scalingWorkload, planStepWorkload,
]

@MainActor func usage() -> String {
    var text = "usage: keras-bench <workload>\n\nworkloads:\n"
    for w in workloads { text += "  \(w.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(w.summary)\n" }
    return text
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let workload = workloads.first(where: { $0.name == arguments.first }) else {
    if let name = arguments.first, !["-h", "--help", "help"].contains(name) {
        FileHandle.standardError.write("keras-bench: unknown workload '\(name)'\n\n".data(using: .utf8)!)
    }
    FileHandle.standardError.write(usage().data(using: .utf8)!)
    exit(2)
}
workload.run()
