/// The attention layers in the layer table.
let attentionLayerEntries: [LayerEntry] = [
    entry(Attention.self) { try Attention(config: $0) },
    entry(AdditiveAttention.self) { try AdditiveAttention(config: $0) },
    entry(MultiHeadAttention.self) { try MultiHeadAttention(config: $0) },
    entry(GroupedQueryAttention.self, aliases: ["GroupQueryAttention"]) { try GroupedQueryAttention(config: $0) },
]
