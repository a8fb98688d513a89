package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func newControlPlaneCommand(logger loggerFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "control-plane",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("control-plane: not built yet")
		},
	}
}
