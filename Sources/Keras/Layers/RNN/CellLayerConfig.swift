extension RNN {
    /// Keras's `get_config()` of a layer made around one cell (``SimpleRNN``, ``LSTM``, ``GRU``):
    /// `config` (the ``RNN`` flags) with the cell's arguments added and `activity_regularizer`
    /// placed after `bias_regularizer`, as Keras lists them.
    func cellLayerConfig(_ config: Config) -> Config {
        var config = config
        for (key, value) in cell.getConfig() where !["name", "trainable", "dtype"].contains(key) { config[key] = value }
        return config.placing("activity_regularizer", serializeOptional(activityRegularizer), after: "bias_regularizer")
    }
}
