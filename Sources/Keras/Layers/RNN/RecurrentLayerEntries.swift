/// The recurrent layers and cells in the layer table.
let recurrentLayerEntries: [LayerEntry] = [
    entry(RNN.self) { try RNN(config: $0) },
    entry(SimpleRNN.self) { try SimpleRNN(config: $0) },
    entry(LSTM.self) { try LSTM(config: $0) },
    entry(GRU.self) { try GRU(config: $0) },
    entry(SimpleRNNCell.self) { try SimpleRNNCell(config: $0) },
    entry(LSTMCell.self) { try LSTMCell(config: $0) },
    entry(GRUCell.self) { try GRUCell(config: $0) },
    entry(StackedRNNCells.self) { try StackedRNNCells(config: $0) },
]
