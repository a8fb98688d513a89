package route

import (
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// FaultFilterName is the HTTP fault filter's name, the only key accepted in a
// route's typed_per_filter_config.
const FaultFilterName = "envoy.filters.http.fault"

func decodeFilterConfigs(r *routev3.Route) (*Fault, error) {
	var fault *Fault
	for _, key := range xdsdecode.SortedKeys(r.GetTypedPerFilterConfig()) {
		a := r.GetTypedPerFilterConfig()[key]
		path := xdsdecode.Key("typed_per_filter_config", key)
		if key != FaultFilterName {
			return nil, xdsdecode.Errorf(path, "unsupported filter (only %q)", FaultFilterName)
		}
		var f faultv3.HTTPFault
		if err := xdsdecode.Unpack(a, &f); err != nil {
			return nil, xdsdecode.At(err, path)
		}
		var err error
		if fault, err = decodeFault(&f); err != nil {
			return nil, xdsdecode.At(err, path)
		}
	}
	return fault, nil
}

// decodeFault converts an HTTPFault. An unset percentage is 0%, as in Envoy.
func decodeFault(f *faultv3.HTTPFault) (*Fault, error) {
	if err := xdsdecode.OnlyFields(f, "delay", "abort"); err != nil {
		return nil, err
	}
	out := &Fault{}
	if d := f.GetDelay(); d != nil {
		if err := xdsdecode.OnlyFields(d, "fixed_delay", "percentage"); err != nil {
			return nil, xdsdecode.At(err, "delay")
		}
		if d.GetFixedDelay() == nil {
			return nil, xdsdecode.Errorf("delay.fixed_delay", "required")
		}
		var err error
		if out.Delay, err = xdsdecode.Duration(d.GetFixedDelay(), 0, "delay.fixed_delay"); err != nil {
			return nil, err
		}
		out.DelayMillionths = millionths(d.GetPercentage())
	}
	if a := f.GetAbort(); a != nil {
		if err := decodeAbort(a, out); err != nil {
			return nil, xdsdecode.At(err, "abort")
		}
	}
	return out, nil
}

func decodeAbort(a *faultv3.FaultAbort, out *Fault) error {
	if err := xdsdecode.OnlyFields(a, "http_status", "grpc_status", "percentage"); err != nil {
		return err
	}
	switch e := a.GetErrorType().(type) {
	case *faultv3.FaultAbort_HttpStatus:
		out.AbortStatus = int(e.HttpStatus)
	case *faultv3.FaultAbort_GrpcStatus:
		out.AbortGRPC, out.AbortGRPCSet = int(e.GrpcStatus), true
	default:
		return xdsdecode.Errorf("", "want http_status or grpc_status")
	}
	out.AbortMillionths = millionths(a.GetPercentage())
	return nil
}

// millionths converts a FractionalPercent, capped at 100% as Envoy caps it.
func millionths(p *typev3.FractionalPercent) uint32 {
	scale := map[typev3.FractionalPercent_DenominatorType]uint64{
		typev3.FractionalPercent_HUNDRED:      10_000,
		typev3.FractionalPercent_TEN_THOUSAND: 100,
		typev3.FractionalPercent_MILLION:      1,
	}[p.GetDenominator()]
	return uint32(min(uint64(p.GetNumerator())*scale, 1_000_000))
}
