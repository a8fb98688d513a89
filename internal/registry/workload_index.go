package registry

// workloadIndex finds the workloads of one namespace a label selector
// selects without matching the selector against every workload: each
// label pair lists the workloads that carry it, and a selector is checked
// only against the workloads of its rarest pair. With a ServiceEntry per
// service selecting its own app label, building the registry is linear in
// the number of WorkloadEntries instead of services × workloads.
type workloadIndex struct {
	all     []*Workload
	byLabel map[labelPair][]*Workload
}

type labelPair struct{ key, value string }

func newWorkloadIndex() *workloadIndex {
	return &workloadIndex{byLabel: map[labelPair][]*Workload{}}
}

func (x *workloadIndex) add(w *Workload) {
	x.all = append(x.all, w)
	for k, v := range w.Labels {
		p := labelPair{k, v}
		x.byLabel[p] = append(x.byLabel[p], w)
	}
}

// selected returns, in the order they were added, the workloads whose labels
// include every pair of selector; an empty selector selects all of them.
func (x *workloadIndex) selected(selector map[string]string) []*Workload {
	if x == nil {
		return nil
	}
	candidates := x.all
	for k, v := range selector {
		list := x.byLabel[labelPair{k, v}]
		if len(list) == 0 {
			return nil
		}
		if len(list) < len(candidates) {
			candidates = list
		}
	}
	var out []*Workload
	for _, w := range candidates {
		if LabelsMatch(selector, w.Labels) {
			out = append(out, w)
		}
	}
	return out
}
