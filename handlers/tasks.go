package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/gin-gonic/gin"

	"glimpse/templates"
	"glimpse/tlclient"
	"glimpse/webapp"
	"glimpse/webfmt"
)

// TaskAPI is what the tasks and upload features ask of the TwelveLabs API.
type TaskAPI interface {
	CreateTask(ctx context.Context, r tlclient.CreateTaskRequest) (*tlclient.CreateTaskResponse, error)
	GetTask(ctx context.Context, id string) (*tlclient.Task, error)
	ListTasks(ctx context.Context, p tlclient.ListTasksParams) (*tlclient.TaskPage, error)
	DeleteTask(ctx context.Context, id string) error
}

const tasksPerPage = 20

// taskStatuses are the statuses the tasks page filters by.
var taskStatuses = []string{
	tlclient.TaskValidating, tlclient.TaskPending, tlclient.TaskQueued,
	tlclient.TaskIndexing, tlclient.TaskReady, tlclient.TaskFailed,
}

// events serves an SSE stream of the session (404 for anyone else's).
func (s *Server) events(c *gin.Context) error {
	s.Events.Serve(c.Writer, c.Request, c.Param("stream"))
	return nil
}

// taskStream is the session's stream of task cards; it is opened here so
// that the page's EventSource finds it.
func (s *Server) taskStream(c *gin.Context) string {
	id := s.Sessions.Get(c.Request).ID
	name := "tasks-" + id
	s.Events.Open(name, id)
	return name
}

func (s *Server) taskStreamURL(c *gin.Context) string { return webfmt.EventsURL(s.taskStream(c)) }

func (s *Server) listTasks(c *gin.Context) error {
	ctx := c.Request.Context()
	be := s.backend(c)
	p := tlclient.ListTasksParams{Page: pageParam(c), PageLimit: tasksPerPage, SortBy: "created_at", SortOption: "desc"}
	filterIndex, filterStatus := c.Query("index"), c.Query("status")
	if filterIndex != "" {
		p.IndexID = filterIndex
	}
	if filterStatus != "" {
		if !slices.Contains(taskStatuses, filterStatus) {
			return badRequest("Unknown task status “" + filterStatus + "”.")
		}
		p.Status = []string{filterStatus}
	}
	res, err := be.Client.ListTasks(ctx, p)
	if err != nil {
		return err
	}
	v := templates.TasksView{
		FilterIndex: filterIndex, FilterStatus: filterStatus, Statuses: taskStatuses,
		Pager:  pagerFor("/tasks", c.Request.URL.Query(), res.PageInfo),
		Stream: s.taskStreamURL(c),
	}
	names := map[string]string{}
	if ixs, err := be.Client.ListIndexes(ctx, tlclient.ListIndexesParams{PageLimit: 50}); err == nil {
		for _, ix := range ixs.Data {
			v.Indexes = append(v.Indexes, indexView(ix, ""))
			names[ix.ID] = ix.IndexName
		}
	}
	stream := s.taskStream(c)
	for _, t := range res.Data {
		tv := webapp.TaskView(t)
		tv.IndexName = names[t.IndexID]
		if t.Status == tlclient.TaskReady {
			tv.WatchURL = webfmt.WatchURL(t.IndexID, t.VideoID)
		}
		if !tv.Done() {
			s.Watcher.Watch(be.Client, t.ID, stream)
		}
		v.Tasks = append(v.Tasks, tv)
	}
	return render(c, templates.TasksPage(s.page(c, "Tasks"), v))
}

func (s *Server) loadTask(c *gin.Context) (templates.TaskView, error) {
	ctx := c.Request.Context()
	be := s.backend(c)
	t, err := be.Client.GetTask(ctx, c.Param("taskID"))
	if err != nil {
		if errors.Is(err, tlclient.ErrNotFound) {
			return templates.TaskView{}, notFound("There is no task with that id; it may have been deleted.")
		}
		return templates.TaskView{}, err
	}
	tv := webapp.TaskCardView(ctx, be.Client, *t)
	if !tv.Done() {
		s.Watcher.Watch(be.Client, t.ID, s.taskStream(c))
	}
	return tv, nil
}

func (s *Server) showTask(c *gin.Context) error {
	tv, err := s.loadTask(c)
	if err != nil {
		return err
	}
	if ix, err := s.backend(c).Client.GetIndex(c.Request.Context(), tv.IndexID); err == nil {
		tv.IndexName = ix.IndexName
	}
	return render(c, templates.TaskPage(s.page(c, "Task"), tv, s.taskStreamURL(c)))
}

// taskCard is the card alone, for htmx.
func (s *Server) taskCard(c *gin.Context) error {
	tv, err := s.loadTask(c)
	if err != nil {
		return err
	}
	return render(c, templates.TaskCard(tv))
}

func (s *Server) confirmDeleteTask(c *gin.Context) error {
	tv, err := s.loadTask(c)
	if err != nil {
		return err
	}
	msg := "This cannot be undone."
	if tv.VideoID != "" {
		msg = "The task's video is deleted with it: it leaves the index and can no longer be searched. " + msg
	}
	return render(c, templates.ConfirmPage(s.page(c, "Delete task"), templates.ConfirmView{
		Heading: "Delete the task for “" + orDefault(tv.Filename, tv.ID) + "”?", Message: msg,
		Action: webfmt.TaskURL(tv.ID) + "/delete", Button: "Delete task", CancelURL: "/tasks",
	}))
}

func (s *Server) deleteTask(c *gin.Context) error {
	ctx, api, id := c.Request.Context(), s.backend(c).Client, c.Param("taskID")
	// The API deletes a ready task only once its video is gone (the
	// documented order), so the video goes first.
	t, err := api.GetTask(ctx, id)
	if err != nil {
		return err
	}
	if t.Status == tlclient.TaskReady {
		if err := api.DeleteVideo(ctx, t.IndexID, t.VideoID); err != nil && !errors.Is(err, tlclient.ErrNotFound) {
			return err
		}
	}
	if err := api.DeleteTask(ctx, id); err != nil {
		return err
	}
	st := s.Sessions.Get(c.Request)
	st.ForgetTask(id)
	st.AddFlash("info", "Task deleted.")
	c.Redirect(http.StatusSeeOther, "/tasks")
	return nil
}

// dismissTask takes a finished task off the session's recent uploads
// (the card's Dismiss); the task itself stays.
func (s *Server) dismissTask(c *gin.Context) error {
	s.Sessions.Get(c.Request).ForgetTask(c.Param("taskID"))
	c.Status(http.StatusNoContent)
	return nil
}

// recentTaskViews are the cards of the session's recent tasks in an index,
// so that a reload keeps showing them; tasks still running get watched.
func (s *Server) recentTaskViews(c *gin.Context, be Backend, indexID string) []templates.TaskView {
	st := s.Sessions.Get(c.Request)
	ids := slices.Clone(st.RecentTasks)
	views := make([]templates.TaskView, len(ids))
	found := make([]bool, len(ids))
	var gone []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			t, err := be.Client.GetTask(c.Request.Context(), id)
			if err != nil {
				if errors.Is(err, tlclient.ErrNotFound) {
					mu.Lock()
					gone = append(gone, id)
					mu.Unlock()
				}
				return
			}
			if t.IndexID != indexID {
				return
			}
			tv := webapp.TaskCardView(c.Request.Context(), be.Client, *t)
			views[i], found[i] = tv, true
		})
	}
	wg.Wait()
	for _, id := range gone {
		st.ForgetTask(id)
	}
	stream := s.taskStream(c)
	var out []templates.TaskView
	for i, tv := range views {
		if !found[i] {
			continue
		}
		if !tv.Done() {
			s.Watcher.Watch(be.Client, tv.ID, stream)
		}
		out = append(out, tv)
	}
	return out
}

func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
