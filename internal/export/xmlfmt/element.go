package xmlfmt

import "errors"

// errUnexpected reports MISP JSON of a shape the writer does not know;
// it cannot happen while mispjson keeps its shapes.
var errUnexpected = errors.New("xml: unexpected MISP JSON shape")

func (w *writer) open(k string)     { w.w.WriteString("<" + k + ">") }
func (w *writer) close(k string)    { w.w.WriteString("</" + k + ">") }
func (w *writer) emptyTag(k string) { w.w.WriteString("<" + k + "/>") }

// echo writes member k: v of the events scope, as XMLConverterTool's
// recursiveEcho: a list as one element per item, an empty list or object
// as <k/>, an object (MISP wraps the ones it shows in a list of one) as
// one element.
func (w *writer) echo(k string, v *node) {
	k = elementName(k)
	switch v.kind {
	case kindArray:
		if v.empty() {
			w.emptyTag(k)
			return
		}
		for _, e := range v.vals {
			w.echoItem(k, e)
		}
	case kindObject:
		if v.empty() {
			w.emptyTag(k)
			return
		}
		w.open(k)
		w.echoMembers(v)
		w.close(k)
	default:
		w.echoScalar(k, v)
	}
}

func (w *writer) echoMembers(v *node) {
	for i, k := range v.keys {
		w.echo(k, v.vals[i])
	}
}

// echoItem writes one item of a list.
func (w *writer) echoItem(k string, e *node) {
	switch e.kind {
	case kindObject:
		w.open(k)
		w.echoMembers(e)
		w.close(k)
	case kindArray:
		for _, x := range e.vals {
			w.echoItem(k, x)
		}
	default:
		w.echoScalar(k, e)
	}
}

// echoScalar writes a plain value: null and "" as <k/>, false as 0,
// true as 1.
func (w *writer) echoScalar(k string, v *node) {
	switch {
	case v.kind == kindNull, v.kind == kindString && v.text == "" && !v.invalid:
		w.emptyTag(k)
		return
	case v.kind == kindString && v.invalid:
		w.open(k)
		w.close(k)
		return
	}
	w.open(k)
	switch v.kind {
	case kindFalse:
		w.w.WriteByte('0')
	case kindTrue:
		w.w.WriteByte('1')
	case kindNumber:
		w.w.WriteString(v.text)
	default:
		w.b.Reset()
		eventText(&w.b, v.text)
		w.w.WriteString(w.b.String())
	}
	w.close(k)
}

// tree writes member k: v of the attributes scope, as CakePHP's
// Xml::fromArray in its tags format: a list as one element per item, an
// empty list or object as <k/>, null and "" as <k></k> (an empty text
// node), false as 0, true as 1.
func (w *writer) tree(k string, v *node) {
	k = elementName(k)
	switch v.kind {
	case kindArray:
		if v.empty() {
			w.emptyTag(k)
			return
		}
		for _, e := range v.vals {
			w.treeItem(k, e)
		}
	case kindObject:
		if v.empty() {
			w.emptyTag(k)
			return
		}
		w.open(k)
		for i, key := range v.keys {
			w.tree(key, v.vals[i])
		}
		w.close(k)
	default:
		w.open(k)
		w.treeText(v)
		w.close(k)
	}
}

// treeItem writes one item of a list: as a member, except that a plain
// item that PHP's empty() holds empty (null, "", false) is <k/>.
func (w *writer) treeItem(k string, e *node) {
	switch e.kind {
	case kindArray:
		for _, x := range e.vals {
			w.treeItem(k, x)
		}
	case kindNull, kindFalse:
		w.emptyTag(k)
	case kindString:
		if e.text == "" && !e.invalid {
			w.emptyTag(k)
			return
		}
		w.tree(k, e)
	default:
		w.tree(k, e)
	}
}

func (w *writer) treeText(v *node) {
	switch v.kind {
	case kindFalse:
		w.w.WriteByte('0')
	case kindTrue:
		w.w.WriteByte('1')
	case kindNumber:
		w.w.WriteString(v.text)
	case kindString:
		if v.invalid {
			return
		}
		w.b.Reset()
		attributeText(&w.b, v.text)
		w.w.WriteString(w.b.String())
	}
}
