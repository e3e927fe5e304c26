// The code of Sources/KerasServing/KerasServing.docc, compiled (DocCatalogTests checks that each
// ```swift block of the catalog appears here verbatim). ServerTests run servers for real.
import KerasServing

enum DocSnippets {
    /// The landing page's example; not called, since `run()` serves until SIGTERM.
    static func landingPage() async throws {
        var configuration = ServerConfiguration()
        configuration.port = 8501
        let server = try ModelServer(source: .file("mlp.keras", name: "mlp"), configuration: configuration)
        try await server.run()   // until SIGTERM
    }
}
