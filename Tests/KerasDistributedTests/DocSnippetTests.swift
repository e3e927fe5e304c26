// The code of Sources/KerasDistributed/KerasDistributed.docc, compiled (DocCatalogTests checks
// that each ```swift block of the catalog appears here verbatim). MPIStrategyTests run it
// under mpirun.
import Keras
import KerasDistributed

enum DocSnippets {
    /// The landing page's example; not called here, since it needs `mpirun`.
    static func landingPage(model: Model, x: Tensor, y: Tensor) throws {
        let strategy = try MPIStrategy()            // rank and size from mpirun; size 1 without it
        setRandomSeed(1)                            // the same seed everywhere: the same shuffles
        model.distribution = strategy
        try model.fit(x, y, batchSize: 256, epochs: 5)   // 256 = the global batch, 128 per rank on 2
        if strategy.isChief { try model.save(to: "model.keras") }
    }
}
