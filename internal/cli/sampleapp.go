package cli

import (
	"github.com/spf13/cobra"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

// newSampleAppCommand runs one sample app as a process; `loom demo` and the
// end-to-end tests start these through internal/mesh. Hidden: not for users.
func newSampleAppCommand(logger loggerFunc) *cobra.Command {
	var (
		cfg       sampleapp.Config
		kind      string
		upstreams []string
	)
	cmd := &cobra.Command{
		Use:    "sample-app",
		Short:  "Run one of Loom's sample apps (used by `loom demo` and the tests)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logger()
			if err != nil {
				return err
			}
			cfg.Kind = sampleapp.Kind(kind)
			cfg.Upstreams = make(map[string]string, len(upstreams))
			for _, u := range upstreams {
				svc, addr, err := sampleapp.ParseUpstream(u)
				if err != nil {
					return err
				}
				cfg.Upstreams[svc] = addr
			}
			return sampleapp.Run(cmd.Context(), cfg, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", string(sampleapp.KindBookinfo), "bookinfo, http-echo, grpc-echo or tcp-echo")
	f.StringVar(&cfg.Name, "name", "", "service name (for bookinfo: productpage, details, reviews or ratings)")
	f.StringVar(&cfg.Version, "version", "v1", "version label the app reports")
	f.StringVar(&cfg.Listen, "listen", "127.0.0.1:9080", "address to serve on")
	f.StringArrayVar(&upstreams, "upstream", nil, "service=host:port of the sidecar egress listener reaching service (repeatable)")
	f.DurationVar(&cfg.UpstreamTimeout, "upstream-timeout", 0, "timeout of each upstream call (default 10s)")
	f.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "close idle keep-alive connections after this long (default: Go's)")
	f.BoolVar(&cfg.ConnectionClose, "connection-close", false, "http-echo: answer every request with Connection: close")
	return cmd
}
