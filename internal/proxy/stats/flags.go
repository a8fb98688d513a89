package stats

// ResponseFlag is Envoy's response flag: why the proxy, rather than the
// upstream, decided how a request ended. Istio reports it as response_flags.
type ResponseFlag uint8

// Response flags (one per request; the first cause wins).
const (
	FlagNone                    ResponseFlag = iota
	FlagNoHealthyUpstream                    // UH
	FlagUpstreamConnectFail                  // UF
	FlagUpstreamOverflow                     // UO
	FlagNoRoute                              // NR
	FlagNoCluster                            // NC
	FlagUpstreamTimeout                      // UT
	FlagUpstreamReset                        // UR
	FlagUpstreamTermination                  // UC
	FlagRetryLimitExceeded                   // URX
	FlagFaultAbort                           // FI
	FlagFaultDelay                           // DI
	FlagDownstreamTermination                // DC
	FlagDownstreamProtocolError              // DPE
	FlagUpstreamProtocolError                // UPE
	FlagLocalReset                           // LR
	FlagStreamIdleTimeout                    // SI
)

var flagNames = [...]string{"-", "UH", "UF", "UO", "NR", "NC", "UT", "UR", "UC", "URX", "FI", "DI", "DC", "DPE", "UPE", "LR", "SI"}

func (f ResponseFlag) String() string {
	if int(f) < len(flagNames) {
		return flagNames[f]
	}
	return "-"
}
