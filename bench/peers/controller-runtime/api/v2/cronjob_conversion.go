package v2

import (
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/conversion"

	v1 "crdconv.bench/controller-runtime/api/v1"
)

// ConvertTo converts this v2 CronJob to the hub (v1): the schedule fields joined into one cron
// string, absent fields as "*"; everything else copied.
func (src *CronJob) ConvertTo(dstRaw conversion.Hub) error {
	dst := dstRaw.(*v1.CronJob)

	field := func(f *CronField) string {
		if f == nil {
			return "*"
		}
		return string(*f)
	}
	s := src.Spec.Schedule
	dst.Spec.Schedule = strings.Join([]string{
		field(s.Minute), field(s.Hour), field(s.DayOfMonth), field(s.Month), field(s.DayOfWeek),
	}, " ")

	dst.ObjectMeta = src.ObjectMeta
	dst.Spec.StartingDeadlineSeconds = src.Spec.StartingDeadlineSeconds
	dst.Spec.ConcurrencyPolicy = v1.ConcurrencyPolicy(src.Spec.ConcurrencyPolicy)
	dst.Spec.Suspend = src.Spec.Suspend
	dst.Spec.JobTemplate = src.Spec.JobTemplate
	dst.Spec.SuccessfulJobsHistoryLimit = src.Spec.SuccessfulJobsHistoryLimit
	dst.Spec.FailedJobsHistoryLimit = src.Spec.FailedJobsHistoryLimit
	dst.Status.Active = src.Status.Active
	dst.Status.LastScheduleTime = src.Status.LastScheduleTime
	return nil
}

// ConvertFrom converts the hub (v1) to this version: the cron string split on single spaces into
// its five fields ("*" becomes absent); a schedule of any other shape is an error, as in the
// tutorial.
func (dst *CronJob) ConvertFrom(srcRaw conversion.Hub) error {
	src := srcRaw.(*v1.CronJob)

	parts := strings.Split(src.Spec.Schedule, " ")
	if len(parts) != 5 {
		return fmt.Errorf("%s/%s: schedule %q is not a five-field cron expression", src.Namespace, src.Name, src.Spec.Schedule)
	}
	field := func(raw string) *CronField {
		if raw == "*" {
			return nil
		}
		f := CronField(raw)
		return &f
	}
	dst.Spec.Schedule = CronSchedule{
		Minute:     field(parts[0]),
		Hour:       field(parts[1]),
		DayOfMonth: field(parts[2]),
		Month:      field(parts[3]),
		DayOfWeek:  field(parts[4]),
	}

	dst.ObjectMeta = src.ObjectMeta
	dst.Spec.StartingDeadlineSeconds = src.Spec.StartingDeadlineSeconds
	dst.Spec.ConcurrencyPolicy = ConcurrencyPolicy(src.Spec.ConcurrencyPolicy)
	dst.Spec.Suspend = src.Spec.Suspend
	dst.Spec.JobTemplate = src.Spec.JobTemplate
	dst.Spec.SuccessfulJobsHistoryLimit = src.Spec.SuccessfulJobsHistoryLimit
	dst.Spec.FailedJobsHistoryLimit = src.Spec.FailedJobsHistoryLimit
	dst.Status.Active = src.Status.Active
	dst.Status.LastScheduleTime = src.Status.LastScheduleTime
	return nil
}
