// Hand a text the page made (chart data as CSV) to the browser as a file.
export function saveText(filename: string, text: string, mime = 'text/csv;charset=utf-8'): void {
  const href = URL.createObjectURL(new Blob([text], { type: mime }))
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10000)
}
