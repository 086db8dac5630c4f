package reader

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goh5/goh5/hdf5"
)

// This file parses and evaluates PyTables conditions (the numexpr subset
// PyTables documents for Table.where): comparisons (< <= > >= == !=),
// logical & | ^ ~ on booleans, arithmetic + - * / % ** and unary -,
// parentheses, the functions abs, sqrt, exp, log, log10, sin, cos, tan,
// arcsin, arccos, arctan, arctan2, sinh, cosh, tanh, floor, ceil and
// contains, and int, float, bool (True, False) and string ('...', "...",
// b'...') literals. Precedence is Python's: ** binds tightest, then unary
// - and ~, then * / %, + -, &, ^, |, and the comparisons last, so
// "(a > 3) & (a < 10)" needs its parentheses, as in PyTables. Chained
// comparisons and the keywords and, or, not are refused, as numexpr
// refuses them. Integers compute in int64, "/" and the math functions in
// float64; strings compare as bytes with trailing NULs ignored.

// ConditionError is a malformed condition or an unknown name, with the
// byte position (0-based) where the problem starts.
type ConditionError struct {
	Cond string
	Pos  int
	Msg  string
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("hdf5: reader: condition %q at position %d: %s", e.Cond, e.Pos, e.Msg)
}

// ParseCondition checks the syntax of a condition, without resolving
// names. Errors are *ConditionError.
func ParseCondition(cond string) error {
	p := &parser{src: cond}
	if err := p.lex(); err != nil {
		return err
	}
	_, err := p.parse()
	return err
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tStr
	tName
	tOp
)

type token struct {
	kind tokKind
	pos  int
	text string // op or name text; number text
	str  []byte // string literal value
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return &ConditionError{Cond: p.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case (c == 'b' || c == 'B') && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"'):
			t, n, err := p.lexString(i, i+1)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, t)
			i = n
		case c == '\'' || c == '"':
			t, n, err := p.lexString(i, i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, t)
			i = n
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j])) {
				j++
			}
			p.toks = append(p.toks, token{kind: tName, pos: i, text: s[i:j]})
			i = j
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			j := i
			for j < len(s) && (isDigit(s[j]) || s[j] == '.' || s[j] == '_') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && isDigit(s[k]) {
					j = k
					for j < len(s) && isDigit(s[j]) {
						j++
					}
				}
			}
			if j < len(s) && (isIdentStart(s[j])) {
				return p.errAt(j, "invalid number %q", s[i:j+1])
			}
			p.toks = append(p.toks, token{kind: tNum, pos: i, text: s[i:j]})
			i = j
		default:
			op := ""
			for _, o := range []string{"**", "<=", ">=", "==", "!=", "<<", ">>", "//"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" && strings.IndexByte("()+-*/%<>&|^~,", c) >= 0 {
				op = s[i : i+1]
			}
			if op == "" {
				if c == '=' {
					return p.errAt(i, "assignment \"=\" is not allowed; use \"==\"")
				}
				return p.errAt(i, "unexpected character %q", c)
			}
			if op == "<<" || op == ">>" || op == "//" {
				return p.errAt(i, "operator %q is not supported in conditions", op)
			}
			p.toks = append(p.toks, token{kind: tOp, pos: i, text: op})
			i += len(op)
		}
	}
	p.toks = append(p.toks, token{kind: tEOF, pos: len(s)})
	return nil
}

// lexString reads a quoted string whose quote is at q (the token starts at
// start, before any b prefix).
func (p *parser) lexString(start, q int) (token, int, error) {
	s := p.src
	quote := s[q]
	var val []byte
	for i := q + 1; i < len(s); i++ {
		c := s[i]
		if c == quote {
			return token{kind: tStr, pos: start, str: val}, i + 1, nil
		}
		if c != '\\' {
			val = append(val, c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		i++
		switch s[i] {
		case 'n':
			val = append(val, '\n')
		case 't':
			val = append(val, '\t')
		case 'r':
			val = append(val, '\r')
		case '0':
			val = append(val, 0)
		case 'x':
			if i+2 >= len(s) {
				return token{}, 0, p.errAt(i-1, "truncated \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return token{}, 0, p.errAt(i-1, "invalid \\x escape")
			}
			val = append(val, byte(v))
			i += 2
		default:
			val = append(val, s[i])
		}
	}
	return token{}, 0, p.errAt(start, "unterminated string")
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isOp(ops ...string) bool {
	t := p.peek()
	if t.kind != tOp {
		return false
	}
	for _, o := range ops {
		if t.text == o {
			return true
		}
	}
	return false
}

// expr is a parsed expression node.
type expr struct {
	op   string // "num", "str", "name", "call", or an operator ("neg", "not" for unary)
	pos  int
	text string
	str  []byte
	args []*expr
}

func (p *parser) parse() (*expr, error) {
	if p.peek().kind == tEOF {
		return nil, p.errAt(0, "empty condition")
	}
	e, err := p.comparison()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tName && (t.text == "and" || t.text == "or" || t.text == "not") {
			return nil, p.errAt(t.pos, "%q is not supported in conditions; use &, | or ~", t.text)
		}
		return nil, p.errAt(t.pos, "unexpected %s", describe(t))
	}
	return e, nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of condition"
	case tStr:
		return "string"
	}
	return strconv.Quote(t.text)
}

func (p *parser) comparison() (*expr, error) {
	l, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if p.isOp("<", "<=", ">", ">=", "==", "!=") {
		t := p.next()
		r, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		if p.isOp("<", "<=", ">", ">=", "==", "!=") {
			return nil, p.errAt(p.peek().pos, "chained comparisons are not supported; use parentheses and &")
		}
		return &expr{op: t.text, pos: t.pos, args: []*expr{l, r}}, nil
	}
	return l, nil
}

// Binary levels from lowest to highest precedence.
var levels = [][]string{{"|"}, {"^"}, {"&"}, {"+", "-"}, {"*", "/", "%"}}

func (p *parser) binary(level int) (*expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for p.isOp(levels[level]...) {
		t := p.next()
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &expr{op: t.text, pos: t.pos, args: []*expr{l, r}}
	}
	return l, nil
}

func (p *parser) unary() (*expr, error) {
	if p.isOp("-", "+", "~") {
		t := p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		switch t.text {
		case "-":
			return &expr{op: "neg", pos: t.pos, args: []*expr{x}}, nil
		case "~":
			return &expr{op: "not", pos: t.pos, args: []*expr{x}}, nil
		}
		return x, nil
	}
	return p.power()
}

func (p *parser) power() (*expr, error) {
	b, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		t := p.next()
		e, err := p.unary() // right-associative, binds a unary minus on its right
		if err != nil {
			return nil, err
		}
		return &expr{op: "**", pos: t.pos, args: []*expr{b, e}}, nil
	}
	return b, nil
}

func (p *parser) primary() (*expr, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return &expr{op: "num", pos: t.pos, text: t.text}, nil
	case tStr:
		return &expr{op: "str", pos: t.pos, str: t.str}, nil
	case tName:
		switch t.text {
		case "and", "or", "not":
			return nil, p.errAt(t.pos, "%q is not supported in conditions; use &, | or ~", t.text)
		case "None", "lambda", "if", "else", "in", "is", "for":
			return nil, p.errAt(t.pos, "%q is not allowed in conditions", t.text)
		}
		if p.isOp("(") {
			p.next()
			var args []*expr
			if !p.isOp(")") {
				for {
					a, err := p.comparison()
					if err != nil {
						return nil, err
					}
					args = append(args, a)
					if !p.isOp(",") {
						break
					}
					p.next()
				}
			}
			if !p.isOp(")") {
				return nil, p.errAt(p.peek().pos, "expected \")\" to close the call of %s, found %s", t.text, describe(p.peek()))
			}
			p.next()
			return &expr{op: "call", pos: t.pos, text: t.text, args: args}, nil
		}
		return &expr{op: "name", pos: t.pos, text: t.text}, nil
	case tOp:
		if t.text == "(" {
			e, err := p.comparison()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.errAt(p.peek().pos, "expected \")\" to close the \"(\" at position %d, found %s", t.pos, describe(p.peek()))
			}
			p.next()
			return e, nil
		}
	}
	return nil, p.errAt(t.pos, "unexpected %s", describe(t))
}

// Evaluation.

type vkind uint8

const (
	vBool vkind = iota + 1
	vInt
	vFloat
	vStr
)

func (k vkind) String() string {
	return [...]string{"?", "bool", "int", "float", "string"}[k]
}

type value struct {
	i int64 // ints; bools as 0/1
	f float64
	s []byte
}

// node is a compiled expression: it evaluates on one row's bytes.
type node interface {
	eval(row []byte) value
	kind() vkind
}

type constNode struct {
	k vkind
	v value
}

func (c *constNode) eval([]byte) value { return c.v }
func (c *constNode) kind() vkind       { return c.k }

type colNode struct {
	k      vkind
	off    uint64
	size   uint64
	signed bool
	float  bool
}

func (c *colNode) kind() vkind { return c.k }
func (c *colNode) eval(row []byte) value {
	b := row[c.off : c.off+c.size]
	switch c.k {
	case vStr:
		return value{s: bytes.TrimRight(b, "\x00")}
	case vFloat:
		if c.size == 4 {
			return value{f: float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))}
		}
		return value{f: math.Float64frombits(binary.LittleEndian.Uint64(b))}
	case vBool:
		if b[0] != 0 {
			return value{i: 1}
		}
		return value{}
	}
	if c.signed {
		return value{i: signedLE(b)}
	}
	return value{i: int64(unsignedLE(b))}
}

// toFloat reads a numeric value of kind k as float64.
func toFloat(v value, k vkind) float64 {
	if k == vFloat {
		return v.f
	}
	return float64(v.i)
}

type arithNode struct {
	op   byte
	l, r node
	k    vkind // vInt or vFloat
}

func (a *arithNode) kind() vkind { return a.k }
func (a *arithNode) eval(row []byte) value {
	x, y := a.l.eval(row), a.r.eval(row)
	if a.k == vInt {
		switch a.op {
		case '+':
			return value{i: x.i + y.i}
		case '-':
			return value{i: x.i - y.i}
		case '*':
			return value{i: x.i * y.i}
		case '%':
			if y.i == 0 {
				return value{}
			}
			m := x.i % y.i
			if m != 0 && (m < 0) != (y.i < 0) {
				m += y.i
			}
			return value{i: m}
		}
		return value{}
	}
	f, g := toFloat(x, a.l.kind()), toFloat(y, a.r.kind())
	switch a.op {
	case '+':
		return value{f: f + g}
	case '-':
		return value{f: f - g}
	case '*':
		return value{f: f * g}
	case '/':
		return value{f: f / g}
	case '%':
		m := math.Mod(f, g)
		if m != 0 && (m < 0) != (g < 0) {
			m += g
		}
		return value{f: m}
	case 'p':
		return value{f: math.Pow(f, g)}
	}
	return value{}
}

type negNode struct{ x node }

func (n *negNode) kind() vkind { return n.x.kind() }
func (n *negNode) eval(row []byte) value {
	v := n.x.eval(row)
	return value{i: -v.i, f: -v.f}
}

type logicNode struct {
	op   byte // & | ^
	l, r node
}

func (n *logicNode) kind() vkind { return vBool }
func (n *logicNode) eval(row []byte) value {
	x := n.l.eval(row).i != 0
	switch n.op {
	case '&':
		if !x {
			return value{}
		}
		return n.r.eval(row)
	case '|':
		if x {
			return value{i: 1}
		}
		return n.r.eval(row)
	}
	y := n.r.eval(row).i != 0
	if x != y {
		return value{i: 1}
	}
	return value{}
}

type notNode struct{ x node }

func (n *notNode) kind() vkind { return vBool }
func (n *notNode) eval(row []byte) value {
	return value{i: 1 - n.x.eval(row).i}
}

type cmpNode struct {
	op   string
	l, r node
	mode vkind // how to compare
}

func (c *cmpNode) kind() vkind { return vBool }
func (c *cmpNode) eval(row []byte) value {
	x, y := c.l.eval(row), c.r.eval(row)
	var r int
	switch c.mode {
	case vStr:
		r = bytes.Compare(x.s, y.s)
	case vFloat:
		f, g := toFloat(x, c.l.kind()), toFloat(y, c.r.kind())
		if math.IsNaN(f) || math.IsNaN(g) {
			if c.op == "!=" {
				return value{i: 1}
			}
			return value{}
		}
		switch {
		case f < g:
			r = -1
		case f > g:
			r = 1
		}
	default:
		switch {
		case x.i < y.i:
			r = -1
		case x.i > y.i:
			r = 1
		}
	}
	var ok bool
	switch c.op {
	case "<":
		ok = r < 0
	case "<=":
		ok = r <= 0
	case ">":
		ok = r > 0
	case ">=":
		ok = r >= 0
	case "==":
		ok = r == 0
	case "!=":
		ok = r != 0
	}
	if ok {
		return value{i: 1}
	}
	return value{}
}

type funcNode struct {
	f    func(float64) float64
	f2   func(float64, float64) float64
	args []node
	absI bool // abs of an int
}

func (n *funcNode) kind() vkind {
	if n.absI {
		return vInt
	}
	return vFloat
}
func (n *funcNode) eval(row []byte) value {
	a := n.args[0].eval(row)
	if n.absI {
		if a.i < 0 {
			return value{i: -a.i}
		}
		return a
	}
	x := toFloat(a, n.args[0].kind())
	if n.f2 != nil {
		return value{f: n.f2(x, toFloat(n.args[1].eval(row), n.args[1].kind()))}
	}
	return value{f: n.f(x)}
}

type containsNode struct{ s, sub node }

func (n *containsNode) kind() vkind { return vBool }
func (n *containsNode) eval(row []byte) value {
	if bytes.Contains(n.s.eval(row).s, n.sub.eval(row).s) {
		return value{i: 1}
	}
	return value{}
}

var mathFuncs = map[string]func(float64) float64{
	"sqrt": math.Sqrt, "exp": math.Exp, "log": math.Log, "log10": math.Log10,
	"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "arcsin": math.Asin,
	"arccos": math.Acos, "arctan": math.Atan, "sinh": math.Sinh, "cosh": math.Cosh,
	"tanh": math.Tanh, "floor": math.Floor, "ceil": math.Ceil, "abs": math.Abs,
	"expm1": math.Expm1, "log1p": math.Log1p,
}

// condition is a compiled condition.
type condition struct {
	root node
}

func (c *condition) match(row []byte) bool { return c.root.eval(row).i != 0 }

// compileCondition parses cond and resolves its names against condvars
// first and the table's columns second, as PyTables does.
func compileCondition(cond string, t *base, condvars map[string]any) (*condition, error) {
	p := &parser{src: cond}
	if err := p.lex(); err != nil {
		return nil, err
	}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	c := &compiler{p: p, t: t, vars: condvars}
	n, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if n.kind() != vBool {
		return nil, p.errAt(0, "the condition is a %s, not a boolean", n.kind())
	}
	return &condition{root: n}, nil
}

type compiler struct {
	p    *parser
	t    *base
	vars map[string]any
}

func numeric(k vkind) bool { return k == vInt || k == vFloat }

func (c *compiler) compile(e *expr) (node, error) {
	p := c.p
	switch e.op {
	case "num":
		txt := strings.ReplaceAll(e.text, "_", "")
		if !strings.ContainsAny(txt, ".eE") {
			v, err := strconv.ParseInt(txt, 10, 64)
			if err != nil {
				return nil, p.errAt(e.pos, "invalid integer %q", e.text)
			}
			return &constNode{k: vInt, v: value{i: v}}, nil
		}
		v, err := strconv.ParseFloat(txt, 64)
		if err != nil {
			return nil, p.errAt(e.pos, "invalid number %q", e.text)
		}
		return &constNode{k: vFloat, v: value{f: v}}, nil
	case "str":
		return &constNode{k: vStr, v: value{s: bytes.TrimRight(e.str, "\x00")}}, nil
	case "name":
		return c.name(e)
	case "call":
		return c.call(e)
	case "neg":
		x, err := c.compile(e.args[0])
		if err != nil {
			return nil, err
		}
		if !numeric(x.kind()) {
			return nil, p.errAt(e.pos, "unary minus on a %s", x.kind())
		}
		return &negNode{x}, nil
	case "not":
		x, err := c.compile(e.args[0])
		if err != nil {
			return nil, err
		}
		if x.kind() != vBool {
			return nil, p.errAt(e.pos, "\"~\" on a %s; it needs a boolean", x.kind())
		}
		return &notNode{x}, nil
	}
	l, err := c.compile(e.args[0])
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.args[1])
	if err != nil {
		return nil, err
	}
	lk, rk := l.kind(), r.kind()
	switch e.op {
	case "&", "|", "^":
		if lk != vBool || rk != vBool {
			return nil, p.errAt(e.pos, "%q between %s and %s; it needs booleans (parenthesize comparisons)", e.op, lk, rk)
		}
		return &logicNode{op: e.op[0], l: l, r: r}, nil
	case "+", "-", "*", "/", "%", "**":
		if !numeric(lk) || !numeric(rk) {
			return nil, p.errAt(e.pos, "%q between %s and %s", e.op, lk, rk)
		}
		k := vInt
		if lk == vFloat || rk == vFloat || e.op == "/" || e.op == "**" {
			k = vFloat
		}
		op := e.op[0]
		if e.op == "**" {
			op = 'p'
		}
		return &arithNode{op: op, l: l, r: r, k: k}, nil
	case "<", "<=", ">", ">=", "==", "!=":
		var mode vkind
		switch {
		case lk == vStr && rk == vStr:
			mode = vStr
		case numeric(lk) && numeric(rk):
			mode = vInt
			if lk == vFloat || rk == vFloat {
				mode = vFloat
			}
		case lk == vBool && rk == vBool && (e.op == "==" || e.op == "!="):
			mode = vInt
		default:
			return nil, p.errAt(e.pos, "cannot compare %s %s %s", lk, e.op, rk)
		}
		return &cmpNode{op: e.op, l: l, r: r, mode: mode}, nil
	}
	return nil, p.errAt(e.pos, "unsupported operator %q", e.op)
}

func (c *compiler) call(e *expr) (node, error) {
	p := c.p
	args := make([]node, len(e.args))
	for i, a := range e.args {
		n, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	switch e.text {
	case "contains":
		if len(args) != 2 || args[0].kind() != vStr || args[1].kind() != vStr {
			return nil, p.errAt(e.pos, "contains takes two strings")
		}
		return &containsNode{args[0], args[1]}, nil
	case "arctan2":
		if len(args) != 2 || !numeric(args[0].kind()) || !numeric(args[1].kind()) {
			return nil, p.errAt(e.pos, "arctan2 takes two numbers")
		}
		return &funcNode{f2: math.Atan2, args: args}, nil
	}
	f, ok := mathFuncs[e.text]
	if !ok {
		return nil, p.errAt(e.pos, "unknown function %q", e.text)
	}
	if len(args) != 1 || !numeric(args[0].kind()) {
		return nil, p.errAt(e.pos, "%s takes one number", e.text)
	}
	return &funcNode{f: f, args: args, absI: e.text == "abs" && args[0].kind() == vInt}, nil
}

func (c *compiler) name(e *expr) (node, error) {
	p := c.p
	switch e.text {
	case "True":
		return &constNode{k: vBool, v: value{i: 1}}, nil
	case "False":
		return &constNode{k: vBool, v: value{}}, nil
	}
	if v, ok := c.vars[e.text]; ok {
		return c.constant(e, v)
	}
	for _, m := range c.t.dtype.Members {
		if m.Name == e.text {
			return c.column(e, e.text)
		}
	}
	return nil, p.errAt(e.pos, "name %q is not defined (not a column of %s nor a condvar)", e.text, c.t.path)
}

func (c *compiler) constant(e *expr, v any) (node, error) {
	k := func(k vkind, x value) (node, error) { return &constNode{k: k, v: x}, nil }
	switch x := v.(type) {
	case ColumnRef:
		return c.column(e, string(x))
	case bool:
		if x {
			return k(vBool, value{i: 1})
		}
		return k(vBool, value{})
	case int:
		return k(vInt, value{i: int64(x)})
	case int8:
		return k(vInt, value{i: int64(x)})
	case int16:
		return k(vInt, value{i: int64(x)})
	case int32:
		return k(vInt, value{i: int64(x)})
	case int64:
		return k(vInt, value{i: x})
	case uint8:
		return k(vInt, value{i: int64(x)})
	case uint16:
		return k(vInt, value{i: int64(x)})
	case uint32:
		return k(vInt, value{i: int64(x)})
	case uint:
		if uint64(x) > math.MaxInt64 {
			break
		}
		return k(vInt, value{i: int64(x)})
	case uint64:
		if x > math.MaxInt64 {
			break
		}
		return k(vInt, value{i: int64(x)})
	case float32:
		return k(vFloat, value{f: float64(x)})
	case float64:
		return k(vFloat, value{f: x})
	case string:
		return k(vStr, value{s: bytes.TrimRight([]byte(x), "\x00")})
	case []byte:
		return k(vStr, value{s: bytes.TrimRight(x, "\x00")})
	}
	return nil, c.p.errAt(e.pos, "condvar %q has unsupported type %T", e.text, v)
}

func (c *compiler) column(e *expr, name string) (node, error) {
	f, err := resolveField(c.t.dtype, name)
	if err != nil {
		return nil, c.p.errAt(e.pos, "name %q: %v", e.text, err)
	}
	t := f.t
	n := &colNode{off: f.off, size: uint64(t.Size)}
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassEnum:
		signed := t.Signed
		if t.Class == hdf5.ClassEnum && t.Base != nil {
			signed = t.Base.Signed
		}
		if t.Size < 1 || t.Size > 8 {
			return nil, c.p.errAt(e.pos, "column %q: %d-byte integers are not supported", name, t.Size)
		}
		if t.Size == 8 && !signed {
			return nil, c.p.errAt(e.pos, "variable %q refers to a 64-bit unsigned integer column, not supported in conditions", e.text)
		}
		n.k, n.signed = vInt, signed
	case hdf5.ClassBitfield:
		if t.Size != 1 {
			return nil, c.p.errAt(e.pos, "column %q: bitfields other than PyTables bools are not supported", name)
		}
		n.k = vBool
	case hdf5.ClassFloat:
		if t.Size != 4 && t.Size != 8 {
			return nil, c.p.errAt(e.pos, "column %q: %d-byte floats are not supported", name, t.Size)
		}
		n.k = vFloat
	case hdf5.ClassString:
		n.k = vStr
	case hdf5.ClassArray:
		return nil, c.p.errAt(e.pos, "variable %q refers to a multidimensional column, not supported in conditions", e.text)
	case hdf5.ClassCompound:
		return nil, c.p.errAt(e.pos, "variable %q refers to a nested column, not allowed in conditions", e.text)
	default:
		return nil, c.p.errAt(e.pos, "column %q of type %s is not supported in conditions", name, t.String())
	}
	return n, nil
}

// whereRows evaluates a Where request's condition over its rows.
func (q *Request) whereRows(ctx context.Context, w *worker, maxRows uint64) ([]uint64, error) {
	d := q.d
	start, cnt, step, err := pySlice(q.aStart, q.aStop, q.aS, int64(d.nrows()))
	if err != nil {
		return nil, err
	}
	out := w.coords[:0]
	cache := d.r.cache
	var cur []byte
	curB := ^uint64(0)
	for i := int64(0); i < cnt; i++ {
		if i&8191 == 8191 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row := uint64(start + i*step)
		b := row / d.blockRows
		if b != curB {
			data, err := cache.get(ctx, d, b)
			if err != nil {
				return nil, err
			}
			cur, curB = data, b
		}
		off := (row - b*d.blockRows) * d.rowBytes
		if q.cond.match(cur[off : off+d.rowBytes]) {
			if uint64(len(out)) >= maxRows {
				w.coords = out
				return nil, ErrStageTooSmall
			}
			out = append(out, row)
		}
	}
	w.coords = out
	return out, nil
}
