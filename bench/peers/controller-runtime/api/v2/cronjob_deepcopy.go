package v2

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The deep copies controller-gen would generate, written by hand for the bench.

func copyField(in *CronField) *CronField {
	if in == nil {
		return nil
	}
	v := *in
	return &v
}

// DeepCopyInto copies the spec into out.
func (in *CronJobSpec) DeepCopyInto(out *CronJobSpec) {
	*out = *in
	out.Schedule = CronSchedule{
		Minute:     copyField(in.Schedule.Minute),
		Hour:       copyField(in.Schedule.Hour),
		DayOfMonth: copyField(in.Schedule.DayOfMonth),
		Month:      copyField(in.Schedule.Month),
		DayOfWeek:  copyField(in.Schedule.DayOfWeek),
	}
	if in.StartingDeadlineSeconds != nil {
		v := *in.StartingDeadlineSeconds
		out.StartingDeadlineSeconds = &v
	}
	if in.Suspend != nil {
		v := *in.Suspend
		out.Suspend = &v
	}
	in.JobTemplate.DeepCopyInto(&out.JobTemplate)
	if in.SuccessfulJobsHistoryLimit != nil {
		v := *in.SuccessfulJobsHistoryLimit
		out.SuccessfulJobsHistoryLimit = &v
	}
	if in.FailedJobsHistoryLimit != nil {
		v := *in.FailedJobsHistoryLimit
		out.FailedJobsHistoryLimit = &v
	}
}

// DeepCopyInto copies the status into out.
func (in *CronJobStatus) DeepCopyInto(out *CronJobStatus) {
	*out = *in
	if in.Active != nil {
		out.Active = make([]corev1.ObjectReference, len(in.Active))
		copy(out.Active, in.Active)
	}
	if in.LastScheduleTime != nil {
		out.LastScheduleTime = in.LastScheduleTime.DeepCopy()
	}
}

// DeepCopyInto copies the object into out.
func (in *CronJob) DeepCopyInto(out *CronJob) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	in.Status.DeepCopyInto(&out.Status)
}

// DeepCopyObject implements runtime.Object.
func (in *CronJob) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(CronJob)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (in *CronJobList) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(CronJobList)
	*out = *in
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]CronJob, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}
